package evidence

import (
	_ "embed"
	"encoding/binary"
	"errors"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// DejaVu Sans Condensed 2.37, copied unchanged from the Go module
// github.com/go-pdf/fpdf v0.9.0 (font/). Licence: fonts/LICENSE.
var (
	//go:embed fonts/DejaVuSansCondensed.ttf
	fontRegular []byte
	//go:embed fonts/DejaVuSansCondensed-Bold.ttf
	fontBold []byte
)

const (
	fontFamily = "DejaVu"
	// replacementRune stands in the PDF for a character the font cannot
	// draw. DejaVu has a glyph for it.
	replacementRune = '\uFFFD'
)

var (
	coverageOnce sync.Once
	coverage     []bool // indexed by BMP code point: both fonts have a glyph
	coverageErr  error
)

// fontCoverage reports, for each code point in the Basic Multilingual Plane,
// whether both embedded fonts have a glyph for it.
func fontCoverage() ([]bool, error) {
	coverageOnce.Do(func() {
		reg, err := cmapCoverage(fontRegular)
		if err != nil {
			coverageErr = err
			return
		}
		bold, err := cmapCoverage(fontBold)
		if err != nil {
			coverageErr = err
			return
		}
		for i := range reg {
			reg[i] = reg[i] && bold[i]
		}
		coverage = reg
	})
	return coverage, coverageErr
}

// PDFText prepares text for the PDF's embedded font. The HTML shows text as
// given; the PDF cannot, because its font (DejaVu Sans) has no glyphs for some
// scripts and fpdf draws only the Basic Multilingual Plane, left to right,
// without shaping. So PDFText:
//   - composes accents (NFC), so "e" + combining acute becomes "é";
//   - turns CR LF and CR into LF and tabs into spaces;
//   - drops other control and format characters (zero-width spaces, soft
//     hyphens, direction marks);
//   - replaces characters the font cannot draw (for example Chinese,
//     Devanagari, emoji) with U+FFFD "�", so a reader can see something is
//     missing and check the HTML version, which shows them.
//
// Latin, Greek, Cyrillic and most punctuation (curly quotes, dashes, £, €)
// pass through unchanged. Arabic and Hebrew letters pass through but are laid
// out left to right and unjoined.
func PDFText(s string) string {
	cov, err := fontCoverage()
	s = norm.NFC.String(s)
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteRune(r)
		case r == '\r' || r == '\t':
			if r == '\r' {
				b.WriteRune('\n')
			} else {
				b.WriteRune(' ')
			}
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			// dropped
		case r > 0xFFFF || err != nil || !cov[r]:
			b.WriteRune(replacementRune)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// cmapCoverage reads a TrueType font's character map and reports which BMP
// code points map to a glyph. It reads the Windows Unicode BMP subtable
// (platform 3, encoding 1, format 4), which every TrueType font for Windows
// has, and falls back to a Unicode-platform format 4 subtable.
func cmapCoverage(font []byte) ([]bool, error) {
	cmap, err := ttfTable(font, "cmap")
	if err != nil {
		return nil, err
	}
	if len(cmap) < 4 {
		return nil, errBadFont
	}
	n := int(binary.BigEndian.Uint16(cmap[2:]))
	best := -1
	for i := 0; i < n; i++ {
		rec := 4 + 8*i
		if rec+8 > len(cmap) {
			return nil, errBadFont
		}
		platform := binary.BigEndian.Uint16(cmap[rec:])
		encoding := binary.BigEndian.Uint16(cmap[rec+2:])
		off := int(binary.BigEndian.Uint32(cmap[rec+4:]))
		if off+2 > len(cmap) || binary.BigEndian.Uint16(cmap[off:]) != 4 {
			continue
		}
		if platform == 3 && encoding == 1 {
			best = off
			break
		}
		if platform == 0 && best < 0 {
			best = off
		}
	}
	if best < 0 {
		return nil, errors.New("evidence: font has no format 4 Unicode cmap")
	}
	return cmapFormat4(cmap[best:])
}

var errBadFont = errors.New("evidence: malformed TrueType font")

func ttfTable(font []byte, tag string) ([]byte, error) {
	if len(font) < 12 {
		return nil, errBadFont
	}
	n := int(binary.BigEndian.Uint16(font[4:]))
	for i := 0; i < n; i++ {
		rec := 12 + 16*i
		if rec+16 > len(font) {
			return nil, errBadFont
		}
		if string(font[rec:rec+4]) != tag {
			continue
		}
		off := int(binary.BigEndian.Uint32(font[rec+8:]))
		length := int(binary.BigEndian.Uint32(font[rec+12:]))
		if off < 0 || length < 0 || off+length > len(font) {
			return nil, errBadFont
		}
		return font[off : off+length], nil
	}
	return nil, errors.New("evidence: font has no " + tag + " table")
}

func cmapFormat4(t []byte) ([]bool, error) {
	if len(t) < 14 {
		return nil, errBadFont
	}
	segs := int(binary.BigEndian.Uint16(t[6:])) / 2
	endAt := 14
	startAt := endAt + 2*segs + 2
	deltaAt := startAt + 2*segs
	rangeAt := deltaAt + 2*segs
	if rangeAt+2*segs > len(t) {
		return nil, errBadFont
	}
	u16 := func(at int) int { return int(binary.BigEndian.Uint16(t[at:])) }
	cov := make([]bool, 0x10000)
	for i := 0; i < segs; i++ {
		end, start := u16(endAt+2*i), u16(startAt+2*i)
		delta, ro := u16(deltaAt+2*i), u16(rangeAt+2*i)
		for c := start; c <= end && c <= 0xFFFF; c++ {
			var glyph int
			if ro == 0 {
				glyph = (c + delta) & 0xFFFF
			} else {
				at := rangeAt + 2*i + ro + 2*(c-start)
				if at+2 > len(t) {
					continue
				}
				if glyph = u16(at); glyph != 0 {
					glyph = (glyph + delta) & 0xFFFF
				}
			}
			if glyph != 0 {
				cov[c] = true
			}
		}
	}
	return cov, nil
}

package evidence

import (
	"bytes"
	"fmt"
	"math"
	"time"

	"github.com/go-pdf/fpdf"
)

// PDF renders the same content as HTML as an A4 PDF: DejaVu Sans Condensed
// (embedded, so UTF-8 text draws; see PDFText for what it cannot draw),
// headings with PDF bookmarks, simple ruled tables that continue across pages
// with their header row repeated, and on every page a header with the title,
// who the pack is for and the confidentiality line, and a footer with the
// generated date and "Page N of M".
func PDF(p Pack) ([]byte, error) {
	if _, err := fontCoverage(); err != nil {
		return nil, err
	}
	return render(build(p), p.GeneratedAt)
}

// render draws a document as an A4 PDF.
func render(d document, generated time.Time) ([]byte, error) {
	d = d.mapText(PDFText)
	f := fpdf.NewCustom(&fpdf.InitType{OrientationStr: "P", UnitStr: "mm", SizeStr: "A4"})
	// The page-count alias must be set before UTF-8 fonts are added.
	f.AliasNbPages(pageCountAlias)
	f.AddUTF8FontFromBytes(fontFamily, "", fontRegular)
	f.AddUTF8FontFromBytes(fontFamily, "B", fontBold)
	f.SetMargins(marginX, contentTop, marginX)
	f.SetAutoPageBreak(false, 0) // page breaks are placed by pdfDoc.room
	f.SetCellMargin(cellPad)
	f.SetTitle(d.Title, true)
	f.SetSubject("Prepared for: "+d.For, true)
	f.SetAuthor(d.School, true)
	f.SetCreator("sendflow", true)
	f.SetLang("en-GB")
	f.SetCatalogSort(true)
	if !generated.IsZero() {
		f.SetCreationDate(generated)
		f.SetModificationDate(generated)
	}

	w := &pdfDoc{f: f, d: d}
	f.SetHeaderFunc(w.header)
	f.SetFooterFunc(w.footer)
	f.AddPage()
	w.titleBlock()
	for _, s := range d.Sections {
		w.section(s)
	}

	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return nil, fmt.Errorf("evidence: render PDF: %w", err)
	}
	return buf.Bytes(), nil
}

const (
	pageCountAlias = "{nb}"
	pageW          = 210.0
	pageH          = 297.0
	marginX        = 16.0
	contentTop     = 26.0
	contentBottom  = pageH - 18.0
	contentW       = pageW - 2*marginX
	cellPad        = 1.4 // mm, left and right inside every cell
	rowPad         = 1.0 // mm, above and below the text in a table row
	bodySize       = 10.0
	bodyLine       = 5.0
	tableSize      = 9.0
	tableLine      = 4.3
)

type pdfDoc struct {
	f *fpdf.Fpdf
	d document
}

func (w *pdfDoc) font(bold bool, size float64) {
	style := ""
	if bold {
		style = "B"
	}
	w.f.SetFont(fontFamily, style, size)
}

func (w *pdfDoc) grey(on bool) {
	if on {
		w.f.SetTextColor(70, 70, 70)
	} else {
		w.f.SetTextColor(20, 20, 20)
	}
}

// room starts a new page unless h millimetres fit below the current line.
// It reports whether it did.
func (w *pdfDoc) room(h float64) bool {
	if w.f.GetY()+h <= contentBottom {
		return false
	}
	w.f.AddPage()
	return true
}

// fit shortens s with "…" until it fits width in the current font.
func (w *pdfDoc) fit(s string, width float64) string {
	width -= 2 * cellPad
	if w.f.GetStringWidth(s) <= width {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && w.f.GetStringWidth(string(r)+"…") > width {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

func (w *pdfDoc) header() {
	f := w.f
	w.grey(true)
	w.font(false, 8)
	f.SetXY(marginX, 9)
	f.CellFormat(contentW, 4, w.fit(w.d.Title+" · Prepared for: "+w.d.For, contentW), "", 0, "L", false, 0, "")
	w.font(true, 8)
	f.SetXY(marginX, 13.5)
	f.CellFormat(contentW, 4, w.fit(w.d.Confidential, contentW), "", 0, "L", false, 0, "")
	f.SetDrawColor(120, 120, 120)
	f.SetLineWidth(0.2)
	f.Line(marginX, 19, pageW-marginX, 19)
	w.grey(false)
	f.SetXY(marginX, contentTop)
}

func (w *pdfDoc) footer() {
	f := w.f
	w.grey(true)
	w.font(false, 8)
	f.SetDrawColor(120, 120, 120)
	f.SetLineWidth(0.2)
	f.Line(marginX, pageH-14, pageW-marginX, pageH-14)
	f.SetXY(marginX, pageH-13)
	f.CellFormat(contentW/2, 4, w.d.Generated, "", 0, "L", false, 0, "")
	f.SetXY(marginX+contentW/2, pageH-13)
	f.CellFormat(contentW/2, 4, fmt.Sprintf("Page %d of %s", f.PageNo(), pageCountAlias), "", 0, "R", false, 0, "")
	w.grey(false)
}

// text writes s wrapped to width at x, one line at a time so that page
// breaks fall between lines. The font must be set.
func (w *pdfDoc) text(s string, x, width, lineH float64) {
	for _, line := range w.f.SplitText(s, width) {
		w.room(lineH)
		y := w.f.GetY()
		w.f.SetXY(x, y)
		w.f.CellFormat(width, lineH, line, "", 0, "L", false, 0, "")
		w.f.SetXY(x, y+lineH)
	}
}

func (w *pdfDoc) gap(h float64) {
	w.f.SetY(w.f.GetY() + h)
}

func (w *pdfDoc) titleBlock() {
	f := w.f
	w.font(true, 18)
	w.text(w.d.Title, marginX, contentW, 9)
	w.gap(1)
	w.font(false, bodySize)
	w.text("Prepared for: "+w.d.For, marginX, contentW, bodyLine)
	w.text("School: "+w.d.School, marginX, contentW, bodyLine)
	w.gap(1.5)
	// The confidentiality line, boxed.
	w.font(true, bodySize)
	lines := f.SplitText(w.d.Confidential, contentW-4)
	h := float64(len(lines))*bodyLine + 2
	w.room(h)
	y := f.GetY()
	f.SetDrawColor(20, 20, 20)
	f.SetLineWidth(0.5)
	f.Rect(marginX, y, contentW, h, "D")
	f.SetY(y + 1)
	w.text(w.d.Confidential, marginX+2, contentW-4, bodyLine)
	f.SetY(y + h + 1.5)
	w.font(false, bodySize)
	w.text(w.d.Generated, marginX, contentW, bodyLine)
	w.gap(2)
}

func (w *pdfDoc) section(s section) {
	f := w.f
	// Keep a heading with at least a few lines of what follows.
	if !w.room(24) && f.GetY() > contentTop+1 {
		w.gap(5)
	}
	f.Bookmark(s.Heading, 0, -1)
	w.font(true, 14)
	w.text(s.Heading, marginX, contentW, 7)
	f.SetDrawColor(20, 20, 20)
	f.SetLineWidth(0.5)
	y := f.GetY() + 0.5
	f.Line(marginX, y, pageW-marginX, y)
	f.SetY(y + 2.5)
	for _, b := range s.Blocks {
		w.block(b)
	}
}

func (w *pdfDoc) block(b block) {
	f := w.f
	switch b.Kind {
	case blockPara:
		w.font(false, bodySize)
		w.text(b.Text, marginX, contentW, bodyLine)
		w.gap(2)
	case blockNone:
		w.font(false, bodySize)
		w.grey(true)
		w.text(b.Text, marginX, contentW, bodyLine)
		w.grey(false)
		w.gap(2)
	case blockH3:
		if !w.room(20) {
			w.gap(2)
		}
		f.Bookmark(b.Text, 1, -1)
		w.font(true, 11.5)
		w.text(b.Text, marginX, contentW, 6)
		w.gap(1)
	case blockFacts:
		rows := make([][]string, len(b.Facts))
		for i, fc := range b.Facts {
			rows[i] = []string{fc.Label, fc.Value}
		}
		w.table(b.Caption, nil, []float64{3.5, 6.5}, rows)
	case blockTable:
		w.table(b.Caption, b.Headers, b.Widths, b.Rows)
	case blockList:
		w.font(true, bodySize)
		w.room(2 * bodyLine)
		w.text(b.Caption, marginX, contentW, bodyLine)
		w.font(false, bodySize)
		for _, it := range b.Items {
			w.room(bodyLine)
			y := f.GetY()
			f.SetXY(marginX+1, y)
			f.CellFormat(5, bodyLine, "•", "", 0, "L", false, 0, "")
			f.SetXY(marginX+6, y)
			w.text(it, marginX+6, contentW-6, bodyLine)
		}
		w.gap(2)
	}
}

// table draws a ruled table. The first column is bold (it names the row, as
// <th scope="row"> does in the HTML). headers may be nil (a facts table).
// A row taller than the space left continues on the next page, where the
// header row is drawn again.
func (w *pdfDoc) table(caption string, headers []string, weights []float64, rows [][]string) {
	f := w.f
	cols := len(weights)
	if len(headers) > 0 {
		cols = len(headers)
	}
	widths := columnWidths(weights, cols)

	w.font(true, tableSize)
	w.room(bodyLine + 3*tableLine + 4*rowPad)
	w.text(caption, marginX, contentW, bodyLine)

	drawHeader := func() {
		if len(headers) == 0 {
			return
		}
		w.font(true, tableSize)
		cells := make([][]string, cols)
		n := 1
		for i, h := range headers {
			cells[i] = f.SplitText(h, widths[i])
			n = max(n, len(cells[i]))
		}
		w.drawRow(widths, cells, make([]int, cols), n, true)
	}
	drawHeader()

	for _, row := range rows {
		cells := make([][]string, cols)
		need := 1
		for i := 0; i < cols; i++ {
			cell := ""
			if i < len(row) {
				cell = row[i]
			}
			w.font(i == 0, tableSize)
			cells[i] = f.SplitText(cell, widths[i])
			need = max(need, len(cells[i]))
		}
		done := make([]int, cols)
		for left := need; left > 0; {
			avail := int(math.Floor((contentBottom - f.GetY() - 2*rowPad) / tableLine))
			if avail < 1 || (avail < left && avail < 3) {
				f.AddPage()
				w.font(true, tableSize)
				w.text(caption+" (continued)", marginX, contentW, bodyLine)
				drawHeader()
				continue
			}
			k := min(left, avail)
			w.drawRow(widths, cells, done, k, false)
			for i := range done {
				done[i] += k
			}
			left -= k
		}
	}
	w.gap(3)
}

// drawRow draws k lines of each cell starting at line from[i], with borders.
func (w *pdfDoc) drawRow(widths []float64, cells [][]string, from []int, k int, header bool) {
	f := w.f
	y := f.GetY()
	h := float64(k)*tableLine + 2*rowPad
	x := marginX
	f.SetDrawColor(110, 110, 110)
	f.SetLineWidth(0.2)
	for i, cw := range widths {
		style := "D"
		switch {
		case header:
			f.SetFillColor(225, 225, 225)
			style = "FD"
		case i == 0:
			f.SetFillColor(243, 243, 243)
			style = "FD"
		}
		f.Rect(x, y, cw, h, style)
		w.font(header || i == 0, tableSize)
		for j := 0; j < k; j++ {
			li := from[i] + j
			if li >= len(cells[i]) {
				break
			}
			f.SetXY(x, y+rowPad+float64(j)*tableLine)
			f.CellFormat(cw, tableLine, cells[i][li], "", 0, "L", false, 0, "")
		}
		x += cw
	}
	f.SetXY(marginX, y+h)
}

func columnWidths(weights []float64, cols int) []float64 {
	ws := make([]float64, cols)
	total := 0.0
	for i := range ws {
		ws[i] = 1
		if i < len(weights) && weights[i] > 0 {
			ws[i] = weights[i]
		}
		total += ws[i]
	}
	for i := range ws {
		ws[i] = ws[i] / total * contentW
	}
	return ws
}

// mapText returns a copy of d with fn applied to every string shown.
func (d document) mapText(fn func(string) string) document {
	out := document{
		Title:        fn(d.Title),
		For:          fn(d.For),
		School:       fn(d.School),
		Confidential: fn(d.Confidential),
		Generated:    fn(d.Generated),
		Sections:     make([]section, len(d.Sections)),
	}
	each := func(in []string) []string {
		if in == nil {
			return nil
		}
		o := make([]string, len(in))
		for i, s := range in {
			o[i] = fn(s)
		}
		return o
	}
	for i, s := range d.Sections {
		ns := section{ID: s.ID, Heading: fn(s.Heading), Blocks: make([]block, len(s.Blocks))}
		for j, b := range s.Blocks {
			nb := b
			nb.Text, nb.Caption = fn(b.Text), fn(b.Caption)
			nb.Headers, nb.Items = each(b.Headers), each(b.Items)
			if b.Facts != nil {
				nb.Facts = make([]fact, len(b.Facts))
				for k, fc := range b.Facts {
					nb.Facts[k] = fact{fn(fc.Label), fn(fc.Value)}
				}
			}
			if b.Rows != nil {
				nb.Rows = make([][]string, len(b.Rows))
				for k, r := range b.Rows {
					nb.Rows[k] = each(r)
				}
			}
			ns.Blocks[j] = nb
		}
		out.Sections[i] = ns
	}
	return out
}

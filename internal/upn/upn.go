// Package upn validates Unique Pupil Numbers: 13 characters, a check letter first, computed by
// the DfE's weighted modulus-23 rule over the other twelve.
package upn

import (
	"fmt"
	"strings"
)

// checkLetters maps remainders 0-22 to letters; I, O and S are never used.
const checkLetters = "ABCDEFGHJKLMNPQRTUVWXYZ"

// CheckLetter computes the check letter for the 12 characters after it. The last character may
// be a letter (a temporary UPN); it counts as that letter's position in checkLetters.
func CheckLetter(rest string) (byte, error) {
	if len(rest) != 12 {
		return 0, fmt.Errorf("a UPN has 12 characters after the check letter, not %d", len(rest))
	}
	sum := 0
	for i := 0; i < 12; i++ {
		c := rest[i]
		var v int
		switch {
		case c >= '0' && c <= '9':
			v = int(c - '0')
		case i == 11 && strings.IndexByte(checkLetters, c) >= 0:
			v = strings.IndexByte(checkLetters, c)
		default:
			return 0, fmt.Errorf("character %d (%q) must be a digit", i+2, c)
		}
		sum += v * (i + 2)
	}
	return checkLetters[sum%23], nil
}

// Validate says why a UPN is not valid, or nil.
func Validate(u string) error {
	if len(u) != 13 {
		return fmt.Errorf("a UPN is 13 characters; this has %d", len(u))
	}
	want, err := CheckLetter(u[1:])
	if err != nil {
		return err
	}
	if u[0] != want {
		return fmt.Errorf("the check letter should be %c, not %c: check the number was copied correctly", want, u[0])
	}
	return nil
}

// Make builds a valid UPN from its 12 characters after the check letter.
func Make(rest string) (string, error) {
	c, err := CheckLetter(rest)
	if err != nil {
		return "", err
	}
	return string(c) + rest, nil
}

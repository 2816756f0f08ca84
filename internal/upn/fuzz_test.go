package upn

import "testing"

// FuzzValidate: no input makes Validate panic, and what it accepts is exactly what Make makes:
// 13 characters whose first is the check letter of the other twelve.
func FuzzValidate(f *testing.F) {
	for _, seed := range []string{"D999123400001", "A999123400001", "", "D99912340000", "D9991234000011", "d999123400001",
		"D99912340000A", "Ü99912340000", "\x00999123400001", "T999123400002"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, u string) {
		if Validate(u) != nil {
			return
		}
		if len(u) != 13 {
			t.Fatalf("accepted %q of %d bytes", u, len(u))
		}
		if made, err := Make(u[1:]); err != nil || made != u {
			t.Fatalf("accepted %q, but its check letter is %q (%v)", u, made, err)
		}
	})
}

package upn

import "testing"

func TestValidate(t *testing.T) {
	cases := []struct {
		upn string
		ok  bool
	}{
		// Worked by hand: 8*2+2*3+3*4+2*5+0*6+0*7+1*8+2*9+4*10+0*11+0*12+1*13 = 123; 123 mod 23 = 8 -> J.
		{"J823200124001", true},
		{"B823200124001", false}, // wrong check letter
		{"B82320012400", false},  // too short
		{"B82320012X001", false}, // letter in the middle
		{"", false},
	}
	for _, tc := range cases {
		if err := Validate(tc.upn); (err == nil) != tc.ok {
			t.Errorf("Validate(%q) = %v, want ok=%v", tc.upn, err, tc.ok)
		}
	}
}

func TestMakeRoundTrips(t *testing.T) {
	for _, rest := range []string{"823200124001", "000000000000", "99999999999Z", "12345678901A"} {
		u, err := Make(rest)
		if err != nil {
			t.Fatalf("Make(%q): %v", rest, err)
		}
		if err := Validate(u); err != nil {
			t.Errorf("Validate(Make(%q)=%q): %v", rest, u, err)
		}
	}
}

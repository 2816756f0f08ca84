package pagelink

import "testing"

func TestStaffPage(t *testing.T) {
	const id = "5c0f0000-0000-4000-8000-0000000000a1"
	for _, c := range []struct{ in, want string }{
		{"/v1/pupils/" + id + "/pathway", "/pupils/" + id},
		{"/v1/pupils/5C0F0000-0000-4000-8000-0000000000A1/pathway", "/pupils/" + id},
		{"/v1/pupils/" + id + "/cycles/2", "/pupils/" + id + "/cycles/2/review"},
		{"/v1/pupils/" + id + "/cycles/0", ""},
		{"/v1/pupils/" + id + "/pathway/triage", ""},
		{"/v1/pupils/../pathway", ""},
		{"/parent/plan", ""},
	} {
		got, ok := StaffPage(c.in)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("StaffPage(%q) = %q, %v; want %q", c.in, got, ok, c.want)
		}
	}
}

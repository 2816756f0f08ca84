package policies

import (
	"encoding/json"
	"testing"
)

func TestShowsItem(t *testing.T) {
	ep := json.RawMessage(`{"Service":"educational_psychology"}`)
	slt := json.RawMessage(`{"Service":"speech_and_language"}`)
	for _, c := range []struct {
		role     string
		services []string
		kind     string
		state    json.RawMessage
		want     bool
	}{
		{"sendco", nil, "cycle", nil, true},
		{"teacher", nil, "referral", slt, true},
		{"parent", nil, "ehc", nil, true},
		{RoleLAOfficer, nil, "ehc", nil, true},
		{RoleLAOfficer, nil, "annual_review", nil, true},
		{RoleLAOfficer, nil, "cycle", nil, false},
		{RoleLAOfficer, nil, "referral", ep, false},
		{RoleAgency, []string{"educational_psychology"}, "referral", ep, true},
		{RoleAgency, []string{"educational_psychology"}, "referral", slt, false},
		{RoleAgency, []string{"educational_psychology"}, "cycle", nil, false},
		{RoleAgency, []string{"educational_psychology"}, "referral", json.RawMessage(`not json`), false},
		{RoleSysAdmin, nil, "cycle", nil, false}, // a role not listed sees the least
	} {
		if got := ShowsItem(c.role, c.services, c.kind, c.state); got != c.want {
			t.Errorf("ShowsItem(%s, %v, %s, %s) = %v, want %v", c.role, c.services, c.kind, c.state, got, c.want)
		}
	}
}

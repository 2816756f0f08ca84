// Package pagelink maps the API addresses that workflows name in staff emails to the staff pages
// that show the same thing, for the emails (activities) and for links already sent (staffweb).
// Workflows keep naming API paths as they always have, so their recorded histories replay.
package pagelink

import (
	"regexp"
	"strings"
)

var (
	pathway = regexp.MustCompile(`^/v1/pupils/([0-9a-fA-F-]{36})/pathway$`)
	cycle   = regexp.MustCompile(`^/v1/pupils/([0-9a-fA-F-]{36})/cycles/([1-9][0-9]{0,3})$`)
)

// StaffPage is the page for an API path: a pupil's pathway is their page, a support cycle its
// review form (where the parents' views are read). ok is false for a path with no page.
func StaffPage(apiPath string) (page string, ok bool) {
	if m := pathway.FindStringSubmatch(apiPath); m != nil {
		return "/pupils/" + strings.ToLower(m[1]), true
	}
	if m := cycle.FindStringSubmatch(apiPath); m != nil {
		return "/pupils/" + strings.ToLower(m[1]) + "/cycles/" + m[2] + "/review", true
	}
	return "", false
}

package provision

import "regexp"

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]`)

// FileName is the name a catalogue version is downloaded as: "provision-catalogue-2026.1.yaml".
func FileName(version string) string {
	return "provision-catalogue-" + unsafeName.ReplaceAllString(version, "_") + ".yaml"
}

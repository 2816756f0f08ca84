package email

import (
	"strings"
	"testing"
)

func TestConcernTemplateRendersAndEscapes(t *testing.T) {
	subject, text, html, err := Render(ConcernRaised, map[string]string{
		"RecipientName": "Sam", "PupilFirstName": "<Amara>", "SchoolName": "Oakfield", "Link": "https://s.example/p/1",
	})
	if err != nil {
		t.Fatal(err)
	}
	if subject != "A new concern to look at: <Amara>" || !strings.Contains(text, "https://s.example/p/1") {
		t.Errorf("subject %q text %q", subject, text)
	}
	if strings.Contains(html, "<Amara>") || !strings.Contains(html, "&lt;Amara&gt;") || !strings.Contains(html, `lang="en"`) {
		t.Errorf("html not escaped or missing lang:\n%s", html)
	}
	if _, _, _, err := Render(ConcernRaised, map[string]string{"RecipientName": "Sam"}); err == nil {
		t.Error("a missing value rendered without error")
	}
}

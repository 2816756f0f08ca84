package api

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/humatest"
)

type dateProbeInput struct {
	On   Date `query:"on"`
	Body struct {
		Due   Date `json:"due"`
		Maybe Date `json:"maybe,omitzero"`
	}
}

type dateProbeOutput struct {
	Body struct {
		On, Due, Maybe string
		Midnight       bool
	}
}

// A date in a body or a query is read as that day at midnight UTC; anything else is refused with
// 422 naming the field and saying how dates are written, before the handler runs.
func TestDatesAreCheckedWhereverTheyAreSent(t *testing.T) {
	_, tapi := humatest.New(t)
	huma.Post(tapi, "/probe", func(_ context.Context, in *dateProbeInput) (*dateProbeOutput, error) {
		out := &dateProbeOutput{}
		out.Body.On, out.Body.Due, out.Body.Maybe = in.On.String(), in.Body.Due.String(), in.Body.Maybe.String()
		d := in.Body.Due.Time()
		out.Body.Midnight = d.Location().String() == "UTC" && d.Hour() == 0 && d.Minute() == 0
		return out, nil
	})
	for _, c := range []struct {
		name, query, body string
		status            int
		want              string // the answer's body holds this
		where             string // a refusal names this field
	}{
		{"a date", "?on=2027-03-14", `{"due":"2027-03-15","maybe":"2027-03-16"}`, 200, `"On":"2027-03-14","Due":"2027-03-15","Maybe":"2027-03-16","Midnight":true`, ""},
		{"no optional date", "", `{"due":"2027-03-15"}`, 200, `"On":"","Due":"2027-03-15","Maybe":""`, ""},
		{"no such day", "", `{"due":"2027-02-30"}`, 422, dateMessage, "body.due"},
		{"a time, not a date", "", `{"due":"2027-03-15T10:00:00Z"}`, 422, dateMessage, "body.due"},
		{"written the British way", "", `{"due":"15/03/2027"}`, 422, dateMessage, "body.due"},
		{"optional, but wrong", "", `{"due":"2027-03-15","maybe":"soon"}`, 422, dateMessage, "body.maybe"},
		{"a bad date in the query", "?on=next-tuesday", `{"due":"2027-03-15"}`, 422, dateMessage, "query.on"},
	} {
		resp := tapi.Post("/probe"+c.query, strings.NewReader(c.body))
		if resp.Code != c.status || !strings.Contains(resp.Body.String(), c.want) {
			t.Errorf("%s: %d %s, want %d with %s", c.name, resp.Code, resp.Body, c.status, c.want)
			continue
		}
		if c.where == "" {
			continue
		}
		var problem huma.ErrorModel
		if err := json.Unmarshal(resp.Body.Bytes(), &problem); err != nil || len(problem.Errors) != 1 ||
			problem.Errors[0].Location != c.where {
			t.Errorf("%s: %s, want the error at %s", c.name, resp.Body, c.where)
		}
	}
}

// The OpenAPI document shows every Date as a plain date string (generated clients send and read
// strings), never as an object or a date-time; dateOfBirth is one the API takes.
func TestDatesAreDateStringsInTheOpenAPIDocument(t *testing.T) {
	_, tapi := humatest.New(t)
	huma.Post(tapi, "/probe", func(context.Context, *dateProbeInput) (*dateProbeOutput, error) { return nil, nil })
	doc := tapi.OpenAPI()
	body := doc.Paths["/probe"].Post.RequestBody.Content["application/json"].Schema
	body = doc.Components.Schemas.SchemaFromRef(body.Ref)
	for _, s := range []*huma.Schema{body.Properties["due"], body.Properties["maybe"], doc.Paths["/probe"].Post.Parameters[0].Schema} {
		if s.Type != huma.TypeString || s.Format != "date" || s.Ref != "" {
			t.Errorf("a Date's schema is %+v, want type string, format date", s)
		}
	}
	if !reflect.DeepEqual(body.Required, []string{"due"}) {
		t.Errorf("required %v: a Date with omitzero is optional, one without is required", body.Required)
	}

	real := New(http.NewServeMux(), Deps{}).OpenAPI()
	pupil := real.Components.Schemas.Map()["CreatePupilInputBody"]
	if pupil == nil || pupil.Properties["dateOfBirth"].Format != "date" ||
		pupil.Properties["dateOfBirth"].Type != huma.TypeString {
		t.Errorf("create-pupil's dateOfBirth is %+v, want a date string", pupil)
	}
}

package api

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/sendflow/sendflow/internal/oag"
	"github.com/sendflow/sendflow/workflows"
)

// strs turns a list of workflows values into the strings an enum tag holds.
func strs[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// enumTag is the enum tag of the field at path (Body.NextStep) in t, split at its commas.
func enumTag(t *testing.T, typ reflect.Type, path string) []string {
	t.Helper()
	names := strings.Split(path, ".")
	for i, name := range names {
		f, ok := typ.FieldByName(name)
		if !ok {
			t.Fatalf("%s has no field %s", typ, name)
		}
		if i < len(names)-1 {
			typ = f.Type
			continue
		}
		tag, ok := f.Tag.Lookup("enum")
		if !ok {
			t.Fatalf("%s has no enum tag", path)
		}
		return strings.Split(tag, ",")
	}
	return nil
}

// The API offers exactly the values the pathway accepts, in the same order: an enum tag copied by
// hand that misses a new value refuses it with 422 (and generated clients cannot send it); one
// with a value the pathway does not know lets through what the workflow then refuses.
func TestEnumTagsMatchTheWorkflows(t *testing.T) {
	transfers := strs(workflows.PhaseTransfers())
	transfers[slices.Index(transfers, string(workflows.PhaseTransferNone))] = "none" // the API's word for no move
	open := []string{workflows.TimelyOnTrack, workflows.TimelyAtRisk, workflows.TimelyLate, workflows.TimelyPaused}
	for _, c := range []struct {
		typ  reflect.Type
		path string
		want []string
	}{
		{reflect.TypeFor[OutcomeRating](), "Rating", strs(workflows.Ratings())},
		{reflect.TypeFor[ReviewCycleInput](), "Body.NextStep", strs(workflows.NextSteps())},
		{reflect.TypeFor[ReviewFormView](), "Status", workflows.CycleStatuses()},
		{reflect.TypeFor[TriageInput](), "Body.Decision", strs(workflows.TriageDecisions())},
		{reflect.TypeFor[PathwayView](), "Stage", strs(workflows.Stages())},
		{reflect.TypeFor[MeetingView](), "Kind", strs(workflows.MeetingKinds())},
		{reflect.TypeFor[CreateMeetingInput](), "Body.Kind", strs(workflows.MeetingKinds())},
		{reflect.TypeFor[ConsentInput](), "Body.Action", strs(workflows.ConsentActions())},
		{reflect.TypeFor[ResponseInput](), "Body.Kind", strs(workflows.AgencyResponseKinds())},
		{reflect.TypeFor[EHCRequestInput](), "Body.RequestedBy", workflows.EHCRequesters()},
		{reflect.TypeFor[EHCView](), "RequestedBy", workflows.EHCRequesters()},
		{reflect.TypeFor[EHCEventInput](), "Body.Type", strs(workflows.EHCEventTypes())},
		{reflect.TypeFor[EHCEventInput](), "Body.Reason", strs(workflows.ExceptionReasons())},
		{reflect.TypeFor[EHCView](), "Outcome", strs(workflows.EHCOutcomes())},
		{reflect.TypeFor[AnnualReviewEventInput](), "Body.Type", strs(workflows.AnnualReviewEventTypes())},
		{reflect.TypeFor[AnnualReviewEventInput](), "Body.Transfer", transfers},
		{reflect.TypeFor[AnnualReviewEventInput](), "Body.Decision", workflows.ARDecisions()},
		{reflect.TypeFor[AnnualReviewView](), "Decision", workflows.ARDecisions()},
		{reflect.TypeFor[StatutoryView](), "Status", workflows.Timelinesses()},
		{reflect.TypeFor[CaseView](), "Status", open},
		{reflect.TypeFor[RaiseConcernInput](), "Body.Areas", oag.AreaCodes},
		{reflect.TypeFor[OAGArea](), "ID", oag.AreaCodes},
		{reflect.TypeFor[OAGStrategiesInput](), "Area", oag.AreaCodes},
	} {
		if got := enumTag(t, c.typ, c.path); !slices.Equal(got, c.want) {
			t.Errorf("%s.%s: enum tag %v, the values are %v", c.typ.Name(), c.path, got, c.want)
		}
	}
}

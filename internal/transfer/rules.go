// Package transfer holds the rules of a pupil's SEND record following them to another school:
// which step may follow which, in plain Go, tested by tables. The steps themselves (asking,
// releasing, moving the pathway) are carried out by the actions package.
package transfer

import "fmt"

// The states of a transfer.
const (
	Requested = "requested" // the receiving school asked (by UPN and date of birth)
	Released  = "released"  // the sending school let the record go; the move is under way
	Completed = "completed" // the pupil's pathway moved school: the new school holds the record
	Refused   = "refused"   // the sending school kept it (the pupil is not leaving, or not to them)
	Withdrawn = "withdrawn" // the receiving school no longer asks
)

// The steps people take.
const (
	Release  = "release"  // the sending school
	Refuse   = "refuse"   // the sending school
	Withdraw = "withdraw" // the receiving school
)

// Side says which school may take a step.
func Side(step string) (sending bool) { return step == Release || step == Refuse }

// Open reports whether a transfer still waits for someone.
func Open(status string) bool { return status == Requested || status == Released }

// Next is the state a step leads to from a state, or the reason it may not be taken. A step
// taken again (a retry, a second copy of the same form) leads where it led the first time: a
// release of a released or completed transfer is answered as done, and the move carried on.
func Next(status, step string) (string, error) {
	switch step {
	case Release:
		switch status {
		case Requested, Released:
			return Released, nil
		case Completed:
			return Completed, nil
		}
	case Refuse:
		switch status {
		case Requested, Refused:
			return Refused, nil
		}
	case Withdraw:
		switch status {
		case Requested, Withdrawn:
			return Withdrawn, nil
		}
	default:
		return "", fmt.Errorf("%q is not a step of a transfer; choose release, refuse or withdraw", step)
	}
	return "", fmt.Errorf("this transfer is %s: it can no longer be %s", status, pastTense(step))
}

func pastTense(step string) string {
	switch step {
	case Release:
		return "released"
	case Refuse:
		return "refused"
	}
	return "withdrawn"
}

// Words says a transfer's state to the school that sees it. The receiving school is told
// nothing while no pupil is matched or the sending school has not decided: "waiting" reads the
// same whether or not the pupil is on sendflow.
func Words(status string, receiving bool) string {
	switch status {
	case Requested:
		if receiving {
			return "Waiting: if this pupil's record is on sendflow, their school has been asked to release it"
		}
		return "Asked for: release the record if the pupil is leaving for this school"
	case Released:
		return "Released: the record is moving"
	case Completed:
		return "Moved: the record is with the new school"
	case Refused:
		return "Not released by the pupil's school"
	case Withdrawn:
		return "Withdrawn by the school that asked"
	}
	return status
}

// UPNOnRoll is why a release cannot move a pupil: the new school's roll already has a pupil
// with their UPN (added there before the move was made). The transfer waits again, and both
// schools are told this, until the new school removes that entry and the record is released
// again.
const UPNOnRoll = "The new school already has a pupil with this UPN on its roll, so the record was not moved. " +
	"The new school should remove that entry (it has no SEND record); then the pupil's school can release the record again."

// NotOpen is why a move is not made for a transfer that is no longer open (withdrawn or
// refused while the release was under way).
const NotOpen = "This transfer is no longer open (it was withdrawn or refused), so the record was not moved."

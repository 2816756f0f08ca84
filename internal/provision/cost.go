// Package provision holds the rules of costed provision: how support is delivered (1:1, a group
// of N, the whole class), what it costs a pupil per week, term and year, a school's provision
// catalogue (versioned YAML, like the OAG catalogue), and when delivery has fallen behind what a
// plan promised. Plain Go: no Temporal, no database.
package provision

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Weeks in a school year and terms in it: a year's cost is 39 weeks of a weekly cost, a term's a
// third of that (13 weeks).
const (
	WeeksPerYear = 39
	TermsPerYear = 3
	WeeksPerTerm = WeeksPerYear / TermsPerYear
	// ClassSize is how many pupils share whole-class provision when a catalogue does not say.
	ClassSize = 30
)

// DeliveryKind is how support reaches a pupil.
type DeliveryKind string

// The kinds of delivery.
const (
	OneToOne   DeliveryKind = "one_to_one"
	Group      DeliveryKind = "group"
	WholeClass DeliveryKind = "whole_class"
)

// Delivery is a kind of delivery and how many pupils share it.
type Delivery struct {
	Kind DeliveryKind
	Size int // pupils who share one session: 1, N, or the class
}

// ParseDelivery reads "1:1", "group of 4" (or "group:4") and "whole class" (shared by ClassSize
// pupils, or "whole class of 28").
func ParseDelivery(s string) (Delivery, error) {
	t := strings.ToLower(strings.Join(strings.Fields(s), " "))
	switch {
	case t == "1:1" || t == "one to one" || t == "one_to_one":
		return Delivery{OneToOne, 1}, nil
	case t == "whole class" || t == "whole_class":
		return Delivery{WholeClass, ClassSize}, nil
	case strings.HasPrefix(t, "whole class of "):
		n, err := size(strings.TrimPrefix(t, "whole class of "))
		if err != nil {
			return Delivery{}, fmt.Errorf("delivery %q: %w", s, err)
		}
		return Delivery{WholeClass, n}, nil
	case strings.HasPrefix(t, "group of ") || strings.HasPrefix(t, "group:"):
		n, err := size(strings.TrimPrefix(strings.TrimPrefix(t, "group of "), "group:"))
		if err != nil {
			return Delivery{}, fmt.Errorf("delivery %q: %w", s, err)
		}
		if n < 2 {
			return Delivery{}, fmt.Errorf("delivery %q: a group has at least 2 pupils (use 1:1)", s)
		}
		return Delivery{Group, n}, nil
	}
	return Delivery{}, fmt.Errorf("delivery %q: use \"1:1\", \"group of N\" or \"whole class\"", s)
}

func size(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 1 || n > 60 {
		return 0, fmt.Errorf("%q is not a number of pupils from 1 to 60", s)
	}
	return n, nil
}

// String says the delivery as staff write it.
func (d Delivery) String() string {
	switch d.Kind {
	case OneToOne:
		return "1:1"
	case Group:
		return fmt.Sprintf("group of %d", d.Size)
	case WholeClass:
		if d.Size == ClassSize {
			return "whole class"
		}
		return fmt.Sprintf("whole class of %d", d.Size)
	}
	return ""
}

// Pence is an amount of money in pence.
type Pence int64

// PenceOf rounds an amount in pounds to pence.
func PenceOf(pounds float64) Pence { return Pence(math.Round(pounds * 100)) }

// String is £1,234.56.
func (p Pence) String() string {
	sign := ""
	if p < 0 {
		sign, p = "-", -p
	}
	whole := strconv.FormatInt(int64(p)/100, 10)
	for i := len(whole) - 3; i > 0; i -= 3 {
		whole = whole[:i] + "," + whole[i:]
	}
	return fmt.Sprintf("%s£%s.%02d", sign, whole, int64(p)%100)
}

// Pounds is the amount as a plain number with two decimals, for CSV and JSON: "1234.56".
func (p Pence) Pounds() string {
	sign := ""
	if p < 0 {
		sign, p = "-", -p
	}
	return fmt.Sprintf("%s%d.%02d", sign, int64(p)/100, int64(p)%100)
}

// Costing is what one piece of provision costs: either staff time (session length × sessions a
// week × cost per hour, shared by the pupils in the session) or a fixed cost a year per pupil.
type Costing struct {
	Delivery        Delivery
	SessionMinutes  int
	SessionsPerWeek float64
	HourlyCost      Pence
	FixedYearly     Pence // when set, the cost per pupil a year whatever the sessions
}

// Cost is a piece of provision's cost to one pupil.
type Cost struct {
	Week, Term, Year Pence
}

// PerPupil works out the cost to one pupil per week, term and year. A term is WeeksPerTerm
// weeks and a year WeeksPerYear; a fixed cost is spread over the year's weeks and terms.
func (c Costing) PerPupil() Cost {
	if c.FixedYearly > 0 {
		return Cost{
			Week: Pence(math.Round(float64(c.FixedYearly) / WeeksPerYear)),
			Term: Pence(math.Round(float64(c.FixedYearly) / TermsPerYear)),
			Year: c.FixedYearly,
		}
	}
	n := c.Delivery.Size
	if n < 1 {
		n = 1
	}
	week := float64(c.SessionMinutes) / 60 * c.SessionsPerWeek * float64(c.HourlyCost) / float64(n)
	return Cost{
		Week: Pence(math.Round(week)),
		Term: Pence(math.Round(week * WeeksPerTerm)),
		Year: Pence(math.Round(week * WeeksPerYear)),
	}
}

// Add sums two costs.
func (c Cost) Add(o Cost) Cost { return Cost{c.Week + o.Week, c.Term + o.Term, c.Year + o.Year} }

package oag

import (
	"fmt"
	"sync"
)

// Library holds every loaded version of one catalogue (one catalogue id). Versions are never
// removed, so an id recorded against an older version can always be read back. It is safe for
// concurrent use; the zero value is an empty library.
type Library struct {
	mu       sync.RWMutex
	versions []Catalogue // in the order added
	latest   int         // index of the latest version, once there is one
}

// NewLibrary returns a library holding the given versions.
func NewLibrary(cs ...Catalogue) (*Library, error) {
	l := &Library{}
	for _, c := range cs {
		if err := l.Add(c); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// Add loads a version. It refuses a different catalogue id, a version already loaded, and an id
// that changes kind or area between versions (ids must stay stable: give a new id to a new thing).
// The latest version is the one published last; on the same date, the one added last.
func (l *Library) Add(c Catalogue) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, have := range l.versions {
		if have.ID != c.ID {
			return fmt.Errorf("oag library holds catalogue %q; cannot add %q", have.ID, c.ID)
		}
		if have.Version == c.Version {
			return fmt.Errorf(
				"oag catalogue %q version %q is already loaded; bump the version when the catalogue changes",
				c.ID,
				c.Version,
			)
		}
	}
	for _, a := range c.Areas {
		for _, list := range []struct {
			kind  string
			items []Item
		}{{KindIndicator, a.Indicators}, {KindStrategy, a.Strategies}} {
			for _, it := range list.items {
				for _, have := range l.versions {
					old, ok := have.Find(it.ID)
					if !ok {
						continue
					}
					if old.Kind != list.kind || old.Area != a.ID {
						return fmt.Errorf(
							"oag catalogue %q version %q: id %q was %s in %s in version %q and is now %s in %s; ids must stay stable, so use a new id",
							c.ID,
							c.Version,
							it.ID,
							article(old.Kind),
							old.Area,
							have.Version,
							article(list.kind),
							a.ID,
						)
					}
				}
			}
		}
	}
	l.versions = append(l.versions, c)
	i := len(l.versions) - 1
	if i == 0 || !c.Published.Before(l.versions[l.latest].Published) {
		l.latest = i
	}
	return nil
}

// Latest returns the current version.
func (l *Library) Latest() (Catalogue, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if len(l.versions) == 0 {
		return Catalogue{}, false
	}
	return l.versions[l.latest], true
}

// Get returns a version by its Version string.
func (l *Library) Get(version string) (Catalogue, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	for _, c := range l.versions {
		if c.Version == version {
			return c, true
		}
	}
	return Catalogue{}, false
}

// Versions lists the loaded versions in the order they were added.
func (l *Library) Versions() []string {
	l.mu.RLock()
	defer l.mu.RUnlock()
	out := make([]string, len(l.versions))
	for i, c := range l.versions {
		out[i] = c.Version
	}
	return out
}

// Strategy resolves a strategy id in any version: the latest version's entry when it is still
// there, else the newest version that had it (marked Retired).
func (l *Library) Strategy(id string) (Ref, bool) { return l.find(id, KindStrategy) }

// Indicator resolves an indicator id in any version, like Strategy.
func (l *Library) Indicator(id string) (Ref, bool) { return l.find(id, KindIndicator) }

func (l *Library) find(id, kind string) (Ref, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if len(l.versions) == 0 {
		return Ref{}, false
	}
	if r, ok := l.versions[l.latest].Find(id); ok {
		if r.Kind != kind {
			return Ref{}, false
		}
		return r, true
	}
	var best *Catalogue
	for i := range l.versions {
		c := &l.versions[i]
		if r, ok := c.Find(id); ok && r.Kind == kind {
			if best == nil || !c.Published.Before(best.Published) {
				best = c
			}
		}
	}
	if best == nil {
		return Ref{}, false
	}
	r, _ := best.Find(id)
	r.Retired = true
	return r, true
}

// StrategiesFor lists an area's strategies in a version ("" for the latest).
func (l *Library) StrategiesFor(area, version string) ([]Item, error) {
	a, err := l.area(area, version)
	return a.Strategies, err
}

// IndicatorsFor lists an area's indicators in a version ("" for the latest).
func (l *Library) IndicatorsFor(area, version string) ([]Item, error) {
	a, err := l.area(area, version)
	return a.Indicators, err
}

func (l *Library) area(area, version string) (Area, error) {
	var (
		c  Catalogue
		ok bool
	)
	if version == "" {
		c, ok = l.Latest()
		if !ok {
			return Area{}, fmt.Errorf("no oag catalogue is loaded")
		}
	} else if c, ok = l.Get(version); !ok {
		return Area{}, fmt.Errorf("oag catalogue version %q is not loaded", version)
	}
	if !IsArea(area) {
		return Area{}, fmt.Errorf("%q is not an area of need", area)
	}
	a, ok := c.Area(area)
	if !ok {
		return Area{}, fmt.Errorf("oag catalogue version %q has no area %q", c.Version, area)
	}
	return a, nil
}

func article(kind string) string {
	if kind == KindIndicator {
		return "an " + kind
	}
	return "a " + kind
}

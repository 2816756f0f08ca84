package actions

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/sendflow/sendflow/internal/oag"
	"github.com/sendflow/sendflow/internal/refdata"
)

// catalogueCache keeps the OAG catalogue library for a minute, so a newly loaded version is seen
// soon without reading it on every request.
type catalogueCache struct {
	mu     sync.Mutex
	lib    *oag.Library
	loaded time.Time
}

// ErrNoCatalogue means no OAG catalogue has been loaded.
var ErrNoCatalogue = errors.New("no OAG catalogue is loaded yet; an administrator loads one with SENDFLOW_OAG_FILES")

// Catalogue is the OAG catalogue library: every version loaded.
func (s *Service) Catalogue(ctx context.Context) (*oag.Library, error) {
	s.oag.mu.Lock()
	defer s.oag.mu.Unlock()
	if s.oag.lib == nil || time.Since(s.oag.loaded) > time.Minute {
		lib, err := refdata.Library(ctx, s.Store.DB)
		if err != nil {
			return nil, s.unavailable(fmt.Errorf("load the OAG catalogue: %w", err))
		}
		if _, ok := lib.Latest(); !ok {
			return nil, &Unavailable{Cause: ErrNoCatalogue}
		}
		s.oag.lib, s.oag.loaded = lib, time.Now()
	}
	return s.oag.lib, nil
}

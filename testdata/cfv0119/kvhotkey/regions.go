package kvhotkey

import (
	"context"

	"kvlint.test/cfv0119/kvhotkey/sweeps"
)

// Quiet here: the key a page's loop writes on every match is reported in
// that loop, not again at the loop over regions that calls it.
func sweepRegions(ctx context.Context, s *sweeps.Sweeper, pages map[string][]string) error {
	for region, tickets := range pages {
		if err := s.Page(ctx, region, tickets); err != nil {
			return err
		}
	}
	return nil
}

package kvlist

import (
	"context"
	"errors"

	"kvlint.test/cfv6/pagedstore"
)

type event struct {
	Topic string
	Org   string
}

type subscriber struct {
	ps   *pagedstore.Store
	next func(context.Context) (event, error)
}

// One page of an organisation's sessions taken for all of them.
func (s *subscriber) revokeAll(ctx context.Context, org string) (int, error) { // want revokeAll:"kvlist"
	page, err := s.ps.List(ctx, "orgsess:"+org+":", "", 1000) // want `only the first page of this list is used`
	if err != nil {
		return 0, err
	}
	return len(page.Keys), nil
}

func (s *subscriber) dispatch(ctx context.Context, e event) error {
	switch e.Topic {
	case "password-changed":
		_, err := s.revokeAll(ctx, e.Org)
		return err
	}
	return nil
}

// Quiet: the loop runs once per message, and each run lists a first
// page; it pages through nothing.
func (s *subscriber) run(ctx context.Context) error {
	for {
		e, err := s.next(ctx)
		if err != nil {
			if errors.Is(err, context.Canceled) {
				return nil
			}
			return err
		}
		if err := s.dispatch(ctx, e); err != nil {
			continue
		}
	}
}

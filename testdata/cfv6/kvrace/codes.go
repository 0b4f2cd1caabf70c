package kvrace

import (
	"context"
	"crypto/rand"
	"errors"

	"kvlint.test/cfv6/optstore"
)

var errNoCode = errors.New("no free code")

// A short code drawn at random, checked for a collision through a lookup
// whose found flag the adapter sets on each return, and drawn again when
// taken: two bookings that draw the same code both find it free.
func issueCode(ctx context.Context, st *optstore.Store, bookingID string) (string, error) {
	for range 5 {
		code := rand.Text()[:6]
		_, taken, err := st.Lookup(ctx, "code:"+code)
		if err != nil {
			return "", err
		}
		if taken {
			continue
		}
		return code, st.Put(ctx, "code:"+code, []byte(bookingID), optstore.WriteOpts{}) // want `check-then-create on one KV key`
	}
	return "", errNoCode
}

// Defaults seeded for each name not yet there: each run of the loop
// looks at a key of its own and writes the same value as any other
// writer would.
func seedPlans(ctx context.Context, st *optstore.Store, names []string) error {
	for _, n := range names {
		_, found, err := st.Lookup(ctx, "plan:"+n)
		if err != nil {
			return err
		}
		if found {
			continue
		}
		if err := st.Put(ctx, "plan:"+n, []byte("{}"), optstore.WriteOpts{}); err != nil {
			return err
		}
	}
	return nil
}

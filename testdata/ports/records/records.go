// Package records saves records that know their own key and lifetime,
// through the storage port.
package records

import (
	"context"
	"encoding/json"
	"time"

	"kvlint.test/ports/store"
)

type Record interface {
	Key() string
	TTL() time.Duration
}

func Save[T Record](ctx context.Context, st store.Store, rec T) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return st.Set(ctx, rec.Key(), b, rec.TTL())
}

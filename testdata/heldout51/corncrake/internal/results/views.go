package results

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"

	"example.com/corncrake/internal/kvstore"
	"example.com/corncrake/internal/tenancy"
)

// viewShards spreads each result's view count over several keys so that a
// result opened by many family members does not hit one key.
const viewShards = 8

// ViewCounter counts patient views of a result (clinics see "viewed 3 times").
type ViewCounter struct {
	router *tenancy.Router
}

func viewKey(resultID string, shard int) string {
	return fmt.Sprintf("views:%s:%d", resultID, shard)
}

// Record adds one view.
func (v *ViewCounter) Record(ctx context.Context, patientID, resultID string) error {
	st, err := v.router.ForPatient(ctx, patientID)
	if err != nil {
		return err
	}
	key := viewKey(resultID, rand.IntN(viewShards))
	r := st.Get(ctx, key)
	if r.Err != nil {
		return r.Err
	}
	n := 0
	if r.Val.Found {
		if n, err = strconv.Atoi(string(r.Val.Value)); err != nil {
			return fmt.Errorf("results: corrupt view shard %s: %w", key, err)
		}
	}
	return st.Put(ctx, key, []byte(strconv.Itoa(n+1)), kvstore.PutOptions{}) // EXPECT kvcounter|kvrace
}

// Total sums the shards of a result's view count.
func (v *ViewCounter) Total(ctx context.Context, patientID, resultID string) (int, error) {
	st, err := v.router.ForPatient(ctx, patientID)
	if err != nil {
		return 0, err
	}
	keys := make([]string, viewShards)
	for i := range keys {
		keys[i] = viewKey(resultID, i)
	}
	vals := map[string][]byte{}
	if bg, ok := st.(kvstore.BatchGetter); ok {
		r := bg.GetBatch(ctx, keys)
		if r.Err != nil {
			return 0, r.Err
		}
		vals = r.Val
	} else {
		for _, k := range keys {
			r := st.Get(ctx, k)
			if r.Err != nil {
				return 0, r.Err
			}
			if r.Val.Found {
				vals[k] = r.Val.Value
			}
		}
	}
	total := 0
	for _, raw := range vals {
		n, err := strconv.Atoi(string(raw))
		if err != nil {
			continue
		}
		total += n
	}
	return total, nil
}

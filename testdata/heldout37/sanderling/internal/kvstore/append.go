package kvstore

import (
	"context"
	"encoding/json"
	"slices"
)

// AppendJSON adds item to the JSON array stored at k, creating it if needed.
// Items already present are not added twice.
func AppendJSON[T comparable](ctx context.Context, s Store, k Key, item T, o PutOptions) error {
	var list []T
	raw, err := s.Get(ctx, k)
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &list); err != nil {
			return err
		}
	case !IsNotFound(err):
		return err
	}
	if slices.Contains(list, item) {
		return nil
	}
	b, err := json.Marshal(append(list, item))
	if err != nil {
		return err
	}
	return s.Put(ctx, k, b, o) // EXPECT kvrace
}

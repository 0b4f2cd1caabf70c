package store

import (
	"context"
	"encoding/json"
	"time"
)

// Getter and Setter are the halves of Store that the JSON helpers need.
type Getter interface {
	Get(ctx context.Context, key string) ([]byte, error)
}

type Setter interface {
	Set(ctx context.Context, key string, v []byte, ttl time.Duration) error
}

func GetJSON[T any](ctx context.Context, g Getter, key string) (T, error) {
	var v T
	raw, err := g.Get(ctx, key)
	if err != nil {
		return v, err
	}
	err = json.Unmarshal(raw, &v)
	return v, err
}

func PutJSON[T any](ctx context.Context, s Setter, key string, v T) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.Set(ctx, key, raw, time.Hour)
}

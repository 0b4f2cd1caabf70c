// Package ratings handles customer feedback on drivers: the likes shown on
// the driver card and the "popular drivers" strip of the customer portal.
package ratings

import (
	"context"
	"strings"
	"time"

	"example.com/caravan/internal/platform/clock"
	"example.com/caravan/internal/platform/codec"
	"example.com/caravan/internal/storage"
)

var (
	put = storage.Writer.Put
	get = storage.Reader.Get
)

// Popularity is a driver's like count.
type Popularity struct {
	DriverID string `json:"driver_id"`
	Likes    int64  `json:"likes"`
}

// Service records likes.
type Service struct {
	Store storage.Store
	Clock clock.Clock
}

const likesPrefix = "likes:"

// Like records customer's like of driver and returns the new like count.
func (s *Service) Like(ctx context.Context, driverID, customer string) (int64, error) {
	if err := put(s.Store, ctx, "liked:"+driverID+":"+customer, []byte(s.Clock.Now().Format(time.RFC3339)), 0); err != nil {
		return 0, err
	}
	var n int64
	raw, err := get(s.Store, ctx, likesPrefix+driverID)
	if err == nil {
		n, err = codec.Int64{}.Decode(raw)
	} else if storage.IsNotFound(err) {
		err = nil
	}
	if err != nil {
		return 0, err
	}
	b, _ := codec.Int64{}.Encode(n + 1)
	if err := put(s.Store, ctx, likesPrefix+driverID, b, 0); err != nil { // EXPECT kvcounter
		return 0, err
	}
	return n + 1, nil
}

// Popular returns the like counts of up to n drivers for the portal strip.
func (s *Service) Popular(ctx context.Context, n int) ([]Popularity, error) {
	l, ok := storage.As[storage.Lister](s.Store)
	if !ok {
		return nil, storage.ErrUnsupported
	}
	var out []Popularity
	for k, err := range storage.Keys(ctx, l, likesPrefix, 100) {
		if err != nil {
			return nil, err
		}
		raw, err := get(s.Store, ctx, k.Name) // EXPECT kvlist
		if err != nil {
			continue
		}
		likes, _ := codec.Int64{}.Decode(raw)
		out = append(out, Popularity{DriverID: strings.TrimPrefix(k.Name, likesPrefix), Likes: likes})
		if len(out) == n {
			break
		}
	}
	return out, nil
}

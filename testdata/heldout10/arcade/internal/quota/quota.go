// Package quota enforces per-player daily allowances (lobbies opened,
// custom games hosted).
package quota

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"example.com/arcade/internal/store"
)

var ErrExhausted = errors.New("quota: daily allowance used up")

type Daily struct {
	name  string
	limit int
	load  func(ctx context.Context, key string) ([]byte, error)
	save  store.PutFunc
	now   func() time.Time
}

func NewDaily(s store.Store, name string, limit int) *Daily {
	return &Daily{name: name, limit: limit, load: s.Get, save: s.Put, now: time.Now}
}

func (d *Daily) key(player string) string {
	return strings.Join([]string{"quota", d.name, player, d.now().UTC().Format("20060102")}, "/")
}

// Take uses one unit of the player's allowance for today.
func (d *Daily) Take(ctx context.Context, player string) (remaining int, err error) {
	key := d.key(player)
	used := 0
	raw, err := d.load(ctx, key)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return 0, fmt.Errorf("quota: read %s: %w", key, err)
	default:
		used, _ = strconv.Atoi(string(raw))
	}
	if used >= d.limit {
		return 0, ErrExhausted
	}
	if err := d.save(ctx, key, []byte(strconv.Itoa(used+1)), store.WithTTL(26*time.Hour)); err != nil { // EXPECT kvcounter
		return 0, err
	}
	return d.limit - used - 1, nil
}

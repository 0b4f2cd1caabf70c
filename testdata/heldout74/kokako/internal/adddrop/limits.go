// Package adddrop enforces the per-student daily add and drop limits.
package adddrop

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.uber.org/dig"

	"github.com/kokako-uni/kokako/internal/kvstore"
)

// Kind is an add or a drop.
type Kind int

const (
	Add Kind = iota
	Drop
)

// ErrLimit is returned once the student has used the day's allowance.
var ErrLimit = errors.New("adddrop: daily limit reached")

// Params are the limiter's dependencies.
type Params struct {
	dig.In

	KV       *kvstore.Namespace `name:"limits"`
	MaxAdds  int                `name:"daily-add-limit"`
	MaxDrops int                `name:"daily-drop-limit"`
	Location *time.Location     `optional:"true"`
}

// Limiter counts a student's adds and drops per calendar day.
type Limiter struct {
	kv  *kvstore.Namespace
	max [2]int
	loc *time.Location
}

// NewLimiter is the dig constructor.
func NewLimiter(p Params) *Limiter {
	loc := p.Location
	if loc == nil {
		loc = time.UTC
	}
	return &Limiter{kv: p.KV, max: [2]int{Add: p.MaxAdds, Drop: p.MaxDrops}, loc: loc}
}

type usage struct {
	Adds  int `json:"adds"`
	Drops int `json:"drops"`
}

func endOfDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, t.Location())
}

func (l *Limiter) key(student string, day time.Time) string {
	return fmt.Sprintf("adddrop:%s:%s", day.Format("2006-01-02"), student)
}

// Record counts one add or drop for student and refuses it beyond the limit.
func (l *Limiter) Record(ctx context.Context, student string, kind Kind) error {
	now := time.Now().In(l.loc)
	key := l.key(student, now)
	var u usage
	raw, err := l.kv.Get(ctx, key)
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	if err == nil {
		if err := json.Unmarshal(raw, &u); err != nil {
			return err
		}
	}
	used := &u.Adds
	if kind == Drop {
		used = &u.Drops
	}
	if *used >= l.max[kind] {
		return ErrLimit
	}
	*used++
	out, _ := json.Marshal(u)
	ttl := time.Until(endOfDay(now))    // EXPECT kvttl
	return l.kv.Put(ctx, key, out, ttl) // EXPECT kvcounter|kvrace
}

// Remaining reports how many adds and drops the student has left today.
func (l *Limiter) Remaining(ctx context.Context, student string) (adds, drops int, err error) {
	now := time.Now().In(l.loc)
	raw, err := l.kv.Get(ctx, l.key(student, now))
	if errors.Is(err, kvstore.ErrNotFound) {
		return l.max[Add], l.max[Drop], nil
	}
	if err != nil {
		return 0, 0, err
	}
	var u usage
	if err := json.Unmarshal(raw, &u); err != nil {
		return 0, 0, err
	}
	return max(l.max[Add]-u.Adds, 0), max(l.max[Drop]-u.Drops, 0), nil
}

// PublishDailyLimits writes today's limits for the edge to show. It runs
// from the midnight cron, once a day.
func (l *Limiter) PublishDailyLimits(ctx context.Context) error {
	now := time.Now().In(l.loc)
	out, _ := json.Marshal(map[string]int{"adds": l.max[Add], "drops": l.max[Drop]})
	ttl := max(time.Until(endOfDay(now)), time.Minute)
	return l.kv.Put(ctx, "adddrop:limits:"+now.Format("2006-01-02"), out, ttl)
}

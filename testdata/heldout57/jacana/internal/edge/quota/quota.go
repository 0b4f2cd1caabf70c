//go:build js && wasm

// Package quota enforces the free tier's daily lesson quota and keeps
// learners' streaks.
package quota

import (
	"encoding/json"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/lingofox/jacana/internal/calendar"
	"github.com/lingofox/jacana/internal/edge/edgekv"
	"github.com/lingofox/jacana/internal/pick"
)

// ErrQuotaReached is returned when the day's free lessons are used up.
var ErrQuotaReached = errors.New("quota: daily lessons used up")

// Tracker tracks quotas and streaks.
type Tracker struct {
	NS       *edgekv.NS
	Loc      *time.Location
	FreeDay  int
	PlusDay  int
	Plus     func(learner string) bool
	mu       sync.Mutex
	views    map[string]int
	lastSeen map[string]time.Time
}

func dayStamp(t time.Time) string { return t.Format("20060102") }

// Use counts one lesson start against the learner's daily quota.
func (t *Tracker) Use(learner string) (int, error) {
	now := time.Now().In(t.Loc)
	limit := pick.If(t.Plus != nil && t.Plus(learner), t.PlusDay, t.FreeDay)
	key := "quota:" + learner + ":" + dayStamp(now)
	raw, ok, err := t.NS.Get(key)
	if err != nil {
		return 0, err
	}
	used := 0
	if ok {
		used, _ = strconv.Atoi(raw)
	}
	if used >= limit {
		return used, ErrQuotaReached
	}
	used++
	ttl := time.Until(calendar.EndOfDay(now, t.Loc))               // EXPECT kvttl
	if err := t.NS.Put(key, strconv.Itoa(used), ttl); err != nil { // EXPECT kvcounter|kvrace
		return used, err
	}
	if used == limit {
		_ = t.NS.Mark("goal-met:"+learner+":"+dayStamp(now), max(time.Until(calendar.EndOfDay(now, t.Loc)), time.Minute))
	}
	return used, nil
}

// Streak is a learner's run of consecutive active days.
type Streak struct {
	Count   int    `json:"count"`
	LastDay string `json:"last_day"`
	Best    int    `json:"best"`
}

// streakEntry is the stored form of a streak; it lapses at the end of
// tomorrow unless the learner is active again.
func streakEntry(learner string, s Streak, now time.Time, loc *time.Location) (string, string, *kv.PutOptions) {
	raw, _ := json.Marshal(s)
	lapse := calendar.EndOfDay(now.AddDate(0, 0, 1), loc)
	return "streak:" + learner, string(raw), &kv.PutOptions{Expiration: int(lapse.Unix())}
}

// Extend records activity today and returns the updated streak.
func (t *Tracker) Extend(learner string) (Streak, error) {
	now := time.Now().In(t.Loc)
	today := dayStamp(now)
	yesterday := dayStamp(now.AddDate(0, 0, -1))
	var s Streak
	raw, ok, err := t.NS.Get("streak:" + learner)
	if err != nil {
		return s, err
	}
	if ok {
		if err := json.Unmarshal([]byte(raw), &s); err != nil {
			return s, err
		}
	}
	switch s.LastDay {
	case today:
		return s, nil
	case yesterday:
		s.Count++
	default:
		s.Count = 1
	}
	s.LastDay = today
	s.Best = max(s.Best, s.Count)
	return s, t.NS.Raw().PutString(streakEntry(learner, s, now, t.Loc)) // EXPECT kvcounter|kvrace
}

// Freeze lets a Plus learner keep a streak through one missed day; the freeze
// marker lasts until the end of the week.
func (t *Tracker) Freeze(learner string) error {
	now := time.Now().In(t.Loc)
	eow := calendar.EndOfWeek(now, t.Loc)
	return t.NS.Raw().PutString("streak-freeze:"+learner, dayStamp(now), &kv.PutOptions{
		Expiration: int(eow.UnixMilli()), // EXPECT kvttl
	})
}

// SeenLesson counts a lesson view in this isolate.
func (t *Tracker) SeenLesson(lesson string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.views == nil {
		t.views = map[string]int{}
	}
	t.views[lesson]++
}

// FlushViews writes this isolate's view counts; the cron trigger calls it.
func (t *Tracker) FlushViews() error {
	t.mu.Lock()
	snapshot := make(map[string]int, len(t.views))
	for k, v := range t.views {
		snapshot[k] = v
	}
	t.mu.Unlock()
	var errs []error
	for lesson, n := range snapshot {
		errs = append(errs, t.NS.Put("views:lesson:"+lesson, strconv.Itoa(n), 0)) // EXPECT kvcounter
	}
	return errors.Join(errs...)
}

// RecordActive notes the learner's last active time, at most once an hour
// per learner per isolate.
func (t *Tracker) RecordActive(learner string) error {
	now := time.Now()
	t.mu.Lock()
	if t.lastSeen == nil {
		t.lastSeen = map[string]time.Time{}
	}
	prev := t.lastSeen[learner]
	if now.Sub(prev) < time.Hour {
		t.mu.Unlock()
		return nil
	}
	t.lastSeen[learner] = now
	t.mu.Unlock()
	bucket := calendar.HourBucket(now)
	return t.NS.Put("active:"+learner, bucket.Format(time.RFC3339), 45*24*time.Hour)
}

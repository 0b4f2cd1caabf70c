// Package messaging carries secure messages between patients and their care
// team, with per-patient sending limits.
package messaging

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"bunting/internal/kvstore"
)

// ErrOverLimit is returned when a patient has sent too many messages.
var ErrOverLimit = errors.New("messaging: hourly message limit reached")

// Limits are the per-patient sending limits of a clinic plan.
type Limits struct {
	PerHour int
	PerDay  int
}

// Limiter enforces Limits with counters kept per patient and window.
type Limiter struct {
	kvstore.Loader
	kvstore.Saver
	limits Limits
}

// NewLimiter returns a limiter that reads and writes through the default
// store.
func NewLimiter(l Limits) *Limiter {
	return &Limiter{Loader: kvstore.Getter, Saver: kvstore.Setter, limits: l}
}

func (l *Limiter) current(ctx context.Context, key string) (int, error) {
	raw, err := l.Load(ctx, key)
	if errors.Is(err, kvstore.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(raw))
}

// Allow counts one message from patientID and reports whether it may be sent.
func (l *Limiter) Allow(ctx context.Context, patientID string) error {
	hour := time.Now().UTC().Truncate(time.Hour)
	key := fmt.Sprintf("msglimit:%s:%d", patientID, hour.Unix())
	n, err := l.current(ctx, key)
	if err != nil {
		return err
	}
	if n >= l.limits.PerHour {
		return ErrOverLimit
	}
	return l.Save(ctx, key, []byte(strconv.Itoa(n+1)), 2*time.Hour) // EXPECT kvcounter|kvrace
}

// DailyTotal reports the messages sent today, for the patient's usage page.
func (l *Limiter) DailyTotal(ctx context.Context, patientID string) (int, error) {
	day := time.Now().UTC().Format("20060102")
	raw, err := l.Load(ctx, "msgday:"+patientID+":"+day)
	if err != nil {
		return 0, err
	}
	if len(raw) == 0 { // EXPECT kvnull
		return 0, nil
	}
	return strconv.Atoi(string(raw))
}

//go:build js && wasm

package handlers

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"example.com/linnet/internal/edge/workerkv"
	"example.com/linnet/internal/storage"
)

// scope is the per-request view of the learner's own keys: it embeds the KV
// adapter and adds helpers that build keys from the signed-in learner.
type scope struct {
	*workerkv.Store
	user string
}

func (d deps) scope(r *http.Request) scope {
	return scope{Store: d.kv, user: learnerFrom(r.Context())}
}

func (s scope) key(parts ...string) string {
	return "u:" + s.user + ":" + strings.Join(parts, ":")
}

const historyLimit = 16 << 10

// appendHistory adds a line to the learner's activity log.
func (s scope) appendHistory(ctx context.Context, entry string) error {
	key := s.key("history")
	old, err := s.Get(ctx, key)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	line := time.Now().UTC().Format(time.RFC3339) + " " + entry + "\n"
	next := append(old, line...)
	if len(next) > historyLimit {
		next = next[len(next)-historyLimit:]
	}
	return s.Put(ctx, key, next, storage.WithTTL(90*24*time.Hour)) // EXPECT kvrace
}

// useAudioQuota counts one scored pronunciation attempt against today's
// allowance and returns how many were used.
func (s scope) useAudioQuota(ctx context.Context, day string) (int, error) {
	key := s.key("audio-quota", day)
	used := 0
	raw, err := s.Get(ctx, key)
	switch {
	case errors.Is(err, storage.ErrNotFound):
	case err != nil:
		return 0, err
	default:
		used, _ = strconv.Atoi(string(raw))
	}
	used++
	if err := s.Put(ctx, key, []byte(strconv.Itoa(used)), storage.WithTTL(26*time.Hour)); err != nil { // EXPECT kvcounter
		return 0, err
	}
	return used, nil
}

// locale is the learner's interface language, "en" until they pick one.
func (s scope) locale() string {
	raw, err := s.Raw(s.key("locale"))
	if err != nil || len(raw) == 0 { // EXPECT kvnull
		return "en"
	}
	return raw
}

// dailyGoal is the learner's own minutes-per-day goal, if they set one.
func (s scope) dailyGoal() (int, error) {
	raw, err := s.Raw(s.key("daily-goal")) // EXPECT kvnull
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(raw)
}

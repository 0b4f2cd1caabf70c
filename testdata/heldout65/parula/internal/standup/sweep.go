package standup

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"github.com/parula-labs/parula/internal/kvstore"
)

const lockKey = "lock:standup-sweep"

// ErrBusy means another replica holds the sweep lock.
var ErrBusy = errors.New("standup: sweep already running")

// Notifier posts the actual reminder into Slack.
type Notifier interface {
	Nudge(ctx context.Context, st *Standup, user string) error
	PostDigest(ctx context.Context, st *Standup, text string) error
}

// SweepConfig tunes the sweeper; it is read from the environment at start-up.
type SweepConfig struct {
	LockTTL time.Duration
	Host    string
}

// ConfigFromEnv reads PARULA_SWEEP_LOCK_TTL (default 5m).
func ConfigFromEnv() SweepConfig {
	cfg := SweepConfig{LockTTL: 5 * time.Minute}
	if v := os.Getenv("PARULA_SWEEP_LOCK_TTL"); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			cfg.LockTTL = d
		}
	}
	cfg.Host, _ = os.Hostname()
	return cfg
}

// Sweeper nudges members whose standup is due.
type Sweeper struct {
	kv     *kvstore.Namespace
	store  *Store
	notify Notifier
	cfg    SweepConfig
	log    *slog.Logger
}

func NewSweeper(kv *kvstore.Namespace, store *Store, n Notifier, cfg SweepConfig, log *slog.Logger) *Sweeper {
	return &Sweeper{kv: kv, store: store, notify: n, cfg: cfg, log: log}
}

func nudgedKey(team, slug, user, day string) string {
	return "nudged:" + team + ":" + slug + ":" + user + ":" + day
}

// Run is called once a minute by the scheduler in cmd/parula-bot.
func (sw *Sweeper) Run(ctx context.Context, now time.Time) error {
	if _, err := sw.kv.Get(ctx, lockKey); err == nil {
		return ErrBusy
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	err := sw.kv.PutMany(ctx, []*cloudflare.WorkersKVPair{{ // EXPECT kvrace
		Key:           lockKey,
		Value:         sw.cfg.Host,
		ExpirationTTL: int(sw.cfg.LockTTL.Seconds()), // DEBATABLE kvttl
	}})
	if err != nil {
		return err
	}
	defer func() {
		if err := sw.kv.Delete(context.WithoutCancel(ctx), lockKey); err != nil {
			sw.log.Warn("release sweep lock", "err", err)
		}
	}()

	due := 0
	cursor := ""
	for {
		keys, next, err := sw.kv.Page(ctx, "standup:", cursor, 1000) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range keys {
			var st Standup
			if err := sw.kv.GetJSON(ctx, k.Name, &st); err != nil { // EXPECT kvlist
				sw.log.Warn("skip unreadable standup", "key", k.Name, "err", err)
				continue
			}
			if isDue(&st, now) {
				due++
				if err := sw.nudgeAll(ctx, &st, now); err != nil {
					sw.log.Warn("nudge", "standup", k.Name, "err", err)
				}
			}
			if err := sw.kv.Put(ctx, "sweep:progress", []byte(k.Name)); err != nil { // EXPECT kvhotkey
				sw.log.Warn("progress marker", "err", err)
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	stamp := fmt.Sprintf(`{"at":%q,"due":%d,"host":%q}`, now.UTC().Format(time.RFC3339), due, sw.cfg.Host)
	return sw.kv.Put(ctx, "sweep:last_run", []byte(stamp))
}

func isDue(st *Standup, now time.Time) bool {
	at, err := time.Parse("15:04", st.At)
	if err != nil {
		return false
	}
	return now.UTC().Hour() == at.Hour() && now.UTC().Minute() == at.Minute()
}

func endOfDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, t.Location())
}

func (sw *Sweeper) nudgeAll(ctx context.Context, st *Standup, now time.Time) error {
	day := now.UTC().Format("2006-01-02")
	var errs []error
	for _, user := range st.Members {
		if skip, err := sw.store.Skipping(ctx, st.TeamID, st.Slug, user); err != nil || skip {
			continue
		}
		if err := sw.notify.Nudge(ctx, st, user); err != nil {
			errs = append(errs, err)
			continue
		}
		key := nudgedKey(st.TeamID, st.Slug, user, day)
		if err := sw.kv.PutTTL(ctx, key, []byte(now.UTC().Format(time.RFC3339)), time.Until(endOfDay(now.UTC()))); err != nil { // EXPECT kvttl
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// ScheduleFollowUps records, for each member, when the follow-up nudge is due.
// Keys differ per member, so one bulk write covers the whole standup.
func (sw *Sweeper) ScheduleFollowUps(ctx context.Context, st *Standup, followUp time.Time) error {
	ttl := max(time.Until(followUp), time.Minute)
	pairs := make([]*cloudflare.WorkersKVPair, 0, len(st.Members))
	for _, user := range st.Members {
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:           "followup:" + st.TeamID + ":" + st.Slug + ":" + user,
			Value:         followUp.UTC().Format(time.RFC3339),
			ExpirationTTL: int(ttl.Seconds()),
		})
	}
	return sw.kv.PutMany(ctx, pairs)
}

// Digest posts the day's answers for st and keeps the rendered text in KV so
// the dashboard can show it.
func (sw *Sweeper) Digest(ctx context.Context, st *Standup, day string) error {
	answers, err := sw.store.Answers(ctx, st.TeamID, st.Slug, day)
	if err != nil {
		return err
	}
	key := "digest:" + st.TeamID + ":" + st.Slug
	var b strings.Builder
	fmt.Fprintf(&b, "*%s* — %s\n", st.Slug, day)
	for _, a := range answers {
		fmt.Fprintf(&b, "\n<@%s>\n", a.User)
		for _, q := range st.Questions {
			fmt.Fprintf(&b, "> %s\n%s\n", q, a.Replies[q])
		}
		if err := sw.kv.Put(ctx, key, []byte(b.String())); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return sw.notify.PostDigest(ctx, st, b.String())
}

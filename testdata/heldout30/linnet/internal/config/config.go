// Package config loads linnet.conf, embedded in the binary so the Worker
// (which has no file system) and the backend read the same values.
package config

import (
	"bufio"
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

//go:embed linnet.conf
var embedded []byte

// Config is the typed, validated form of linnet.conf.
type Config struct {
	KVBinding   string
	Sessions    Sessions
	Progress    Progress
	Audio       Audio
	Leaderboard Leaderboard
	Classroom   Classroom
	Booking     Booking
	Cloudflare  struct{ AccountID, NamespaceID string }
	Jobs        struct {
		QueueDepth   int
		DrainTimeout time.Duration
	}
}

// Sections handed to individual services.
type (
	Sessions    struct{ Lifetime, MagicLink time.Duration }
	Progress    struct{ ResumeCache, LessonCache time.Duration }
	Leaderboard struct{ PublishEvery, SnapshotTTL, EntryTTL time.Duration }
	Booking     struct{ HoldFor, ReminderLead, FreeCancelBefore time.Duration }
)

type Audio struct {
	Upstream                            string
	MinTTL, MaxTTL, FallbackTTL, Jitter time.Duration
}

type Classroom struct {
	CodeLifetime, ShareLink time.Duration
	PlanSource              string
}

// values is the parsed key=value file. Lookups record problems instead of
// failing fast so one start-up reports every bad entry.
type values struct {
	kv   map[string]string
	errs []error
}

func (v *values) str(key string) string {
	s, ok := v.kv[key]
	if !ok {
		v.errs = append(v.errs, fmt.Errorf("%s: missing", key))
	}
	return s
}

func (v *values) dur(key string) time.Duration {
	d, err := time.ParseDuration(v.str(key))
	if err != nil || d < 0 {
		v.errs = append(v.errs, fmt.Errorf("%s: bad duration %q", key, v.kv[key]))
	}
	return d
}

// MustLoad parses the embedded configuration; the services cannot start
// without it.
func MustLoad() Config {
	c, err := Parse(embedded)
	if err != nil {
		panic(err)
	}
	return c
}

// Parse decodes and validates a configuration file.
func Parse(doc []byte) (Config, error) {
	v := &values{kv: map[string]string{}}
	sc := bufio.NewScanner(bytes.NewReader(doc))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, val, ok := strings.Cut(line, "=")
		if !ok {
			return Config{}, fmt.Errorf("config: line %d: expected key = value", n)
		}
		v.kv[strings.TrimSpace(k)] = strings.TrimSpace(val)
	}
	var c Config
	c.KVBinding = v.str("kv.binding")
	c.Sessions.Lifetime = v.dur("sessions.lifetime")
	c.Sessions.MagicLink = v.dur("sessions.magic_link")
	c.Progress.ResumeCache = v.dur("progress.resume_cache")
	c.Progress.LessonCache = v.dur("progress.lesson_cache")
	c.Audio = Audio{Upstream: v.str("audio.upstream"), MinTTL: v.dur("audio.min_ttl"), MaxTTL: v.dur("audio.max_ttl"),
		FallbackTTL: v.dur("audio.fallback_ttl"), Jitter: v.dur("audio.jitter")}
	c.Leaderboard.PublishEvery = v.dur("leaderboard.publish_every")
	c.Leaderboard.SnapshotTTL = v.dur("leaderboard.snapshot_ttl")
	c.Leaderboard.EntryTTL = v.dur("leaderboard.entry_ttl")
	c.Classroom = Classroom{CodeLifetime: v.dur("classroom.code_lifetime"), ShareLink: v.dur("classroom.share_link"),
		PlanSource: v.str("classroom.plan_source")}
	c.Booking.HoldFor = v.dur("booking.hold_for")
	c.Booking.ReminderLead = v.dur("booking.reminder_lead")
	c.Booking.FreeCancelBefore = v.dur("booking.free_cancel_before")
	c.Cloudflare.AccountID = v.str("cloudflare.account_id")
	c.Cloudflare.NamespaceID = v.str("cloudflare.namespace_id")
	c.Jobs.QueueDepth, _ = strconv.Atoi(v.str("jobs.queue_depth"))
	c.Jobs.DrainTimeout = v.dur("jobs.drain_timeout")
	if c.Audio.MinTTL > c.Audio.MaxTTL {
		v.errs = append(v.errs, errors.New("audio.min_ttl exceeds audio.max_ttl"))
	}
	if len(v.errs) > 0 {
		return Config{}, fmt.Errorf("config: %w", errors.Join(v.errs...))
	}
	return c, nil
}

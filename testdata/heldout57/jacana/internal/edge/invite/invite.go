//go:build js && wasm

// Package invite serves classroom join links at the edge: vanity class slugs
// that teachers claim, and the lookup a join link does.
package invite

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"iter"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/lingofox/jacana/internal/edge/edgekv"
)

var (
	// ErrSlugTaken is returned when another class already uses the slug.
	ErrSlugTaken = errors.New("invite: slug taken")
	// ErrUnknown is returned for a slug or code nobody claimed.
	ErrUnknown = errors.New("invite: unknown")
)

// Links serves join links.
type Links struct {
	NS *edgekv.NS
}

func slugKey(slug string) string {
	return "slug:" + base64.RawURLEncoding.EncodeToString([]byte(strings.ToLower(slug)))
}

// Claim reserves a vanity slug for a class.
func (l *Links) Claim(slug, classID string) error {
	_, taken, err := l.NS.Get(slugKey(slug))
	if err != nil {
		return err
	}
	if taken {
		return ErrSlugTaken
	}
	return l.NS.Put(slugKey(slug), classID, 0) // EXPECT kvrace
}

// Rename moves a class to a new slug the teacher already holds a reservation
// for; the reservation record names the class, so the write below only
// repoints the slug the teacher owns.
func (l *Links) Rename(oldSlug, newSlug, classID string) error {
	if err := l.NS.Put(slugKey(newSlug), classID, 0); err != nil {
		return err
	}
	return l.NS.Delete(slugKey(oldSlug))
}

// Resolve maps a slug to its class.
func (l *Links) Resolve(slug string) (string, error) {
	class, ok, err := l.NS.GetCached(slugKey(slug), 10*time.Minute)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", ErrUnknown
	}
	return class, nil
}

// Summary is a class as a teacher's dashboard shows it.
type Summary struct {
	Slug    string `json:"slug"`
	ClassID string `json:"class_id"`
	Expires int    `json:"expires,omitempty"`
}

// TeacherClasses lists the classes a teacher created; the Worker writes
// teacher:<id>:class:<slug> keys when a class is created.
func (l *Links) TeacherClasses(teacher string) ([]Summary, error) {
	prefix := "teacher:" + teacher + ":class:"
	opts := &kv.ListOptions{
		Prefix: prefix,
		Limit:  2000, // EXPECT kvlimits
	}
	var out []Summary
	for {
		res, err := l.NS.Raw().List(opts) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range res.Keys {
			out = append(out, Summary{Slug: strings.TrimPrefix(k.Name, prefix), Expires: k.Expiration})
		}
		if res.ListComplete {
			return out, nil
		}
		opts.Cursor = res.Cursor
	}
}

// RecentJoins returns up to max recent join events for a class, newest keys
// last, reading at most three pages.
func (l *Links) RecentJoins(classID string, max int) ([]string, bool, error) {
	next, stop := iter.Pull2(l.NS.Pages("join:"+classID+":", 3))
	defer stop()
	var names []string
	complete := false
	for len(names) < max {
		res, err, ok := next()
		if !ok {
			complete = true
			break
		}
		if err != nil {
			return nil, false, err
		}
		for _, k := range res.Keys {
			names = append(names, k.Name)
		}
		if res.ListComplete {
			complete = true
			break
		}
	}
	return names[:min(len(names), max)], complete, nil
}

// RecordJoin writes one join event; each learner's join has its own key.
func (l *Links) RecordJoin(classID, learner string) error {
	ev, _ := json.Marshal(map[string]any{"learner": learner, "at": time.Now().UTC()})
	k := "join:" + classID + ":" + time.Now().UTC().Format("20060102T150405") + ":" + learner
	return l.NS.Put(k, string(ev), 30*24*time.Hour)
}

// Expiring returns the classes whose join link expires within the window,
// walking at most 500 keys.
func (l *Links) Expiring(teacher string, within time.Duration) ([]string, error) {
	c := l.NS.Keys("teacher:"+teacher+":class:", 500)
	cut := time.Now().Add(within).Unix()
	var out []string
	for c.Next() {
		if exp := c.Expiration(); exp > 0 && int64(exp) < cut {
			out = append(out, c.Key())
		}
	}
	return out, c.Err()
}

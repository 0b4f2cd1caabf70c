//go:build js && wasm

// Package jobs holds the Worker's cron tasks and queue consumers.
package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"

	"github.com/quillhaus/turnstone/internal/config"
	"github.com/quillhaus/turnstone/internal/kvstore"
	"github.com/quillhaus/turnstone/internal/pages"
	"github.com/quillhaus/turnstone/internal/subscribers"
)

// Mailer sends transactional mail.
type Mailer interface {
	Remind(email, list, token string) error
}

// Env is what a task needs; it is built per invocation because bindings are
// only reachable inside one.
type Env struct {
	Subs, Pages, Content *kvstore.Namespace
	Origin               pages.Origin
	Mail                 Mailer
	Host                 string
	Log                  *slog.Logger
}

// Scheduled runs the task for the cron expression that fired.
func Scheduled(ctx context.Context, env *Env) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	switch ev.Cron {
	case "*/10 * * * *":
		return warmPages(ctx, env)
	case "0 * * * *":
		return remindPending(env, ev.ScheduledTime)
	case "15 4 * * *":
		return errors.Join(buildSitemap(env), sweepBounced(env), pruneDrafts(env), rebuildSearchIndex(env))
	}
	return fmt.Errorf("jobs: no task for cron %q", ev.Cron)
}

// warmPages renders the most-read articles into the page cache.
func warmPages(ctx context.Context, env *Env) error {
	raw, err := env.Content.Raw().GetString("feed:top", nil) // EXPECT kvnull
	if err != nil {
		return err
	}
	var slugs []string
	if err := json.Unmarshal([]byte(raw), &slugs); err != nil {
		return fmt.Errorf("jobs: feed:top: %w", err)
	}
	slugs = slugs[:min(len(slugs), 25)]

	store := kvstore.Stack(env.Pages, kvstore.WithTTLFloor(time.Minute))
	type result struct {
		slug string
		err  error
	}
	results := make(chan result, len(slugs))
	sem := make(chan struct{}, 6)
	var wg sync.WaitGroup
	for _, slug := range slugs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			html, class, err := env.Origin.Render(ctx, "/a/"+slug)
			if err == nil {
				err = store.Put(kvstore.Key("a/"+slug), html, config.PageTTLFor(class))
			}
			if err == nil {
				err = store.Put("warm:progress", slug, 0) // EXPECT kvhotkey
			}
			results <- result{slug: slug, err: err}
		}()
	}
	wg.Wait()
	close(results)
	var failed []string
	for r := range results {
		if r.err != nil {
			env.Log.Warn("warm failed", "slug", r.slug, "err", r.err)
			failed = append(failed, r.slug)
		}
	}
	summary, _ := json.Marshal(map[string]any{"at": time.Now().UTC(), "warmed": len(slugs) - len(failed), "failed": failed})
	exp := time.Now().Add(time.Hour).Unix()
	return env.Pages.Raw().PutString("warm:last-run", string(summary), &kv.PutOptions{Expiration: int(exp)})
}

// remindPending mails a reminder to sign-ups that are 24 hours old and still
// unconfirmed. It runs hourly, so each pending sign-up is seen in exactly one window.
func remindPending(env *Env, at time.Time) error {
	tokens := kvstore.Stack(env.Subs, kvstore.WithPrefix("confirm:"), kvstore.ReadOnly())
	cursor := ""
	for {
		page, err := tokens.List("", cursor, 1000) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, e := range page.Keys {
			raw, err := tokens.Get(e.Name) // EXPECT kvlist
			var p subscribers.Pending
			if err == nil {
				err = json.Unmarshal([]byte(raw), &p)
			}
			if age := at.Sub(p.CreatedAt); err != nil || age < 24*time.Hour || age >= 25*time.Hour {
				continue
			}
			if err := env.Mail.Remind(p.Email, p.List, string(e.Name)); err != nil {
				return err
			}
		}
		if page.Done {
			return nil
		}
		cursor = page.Cursor
	}
}

// buildSitemap writes sitemap.xml from the slug claims.
func buildSitemap(env *Env) error {
	res, err := env.Content.Raw().List(&kv.ListOptions{Prefix: "slug:"}) // EXPECT kvlist
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.WriteString("<urlset>\n")
	for _, k := range res.Keys {
		fmt.Fprintf(&buf, "<url><loc>https://%s/a/%s</loc></url>\n", env.Host, strings.TrimPrefix(k.Name, "slug:"))
	}
	buf.WriteString("</urlset>\n")
	return env.Pages.Put("sitemap.xml", buf.String(), config.PageTTLFor("feed"))
}

// sweepBounced removes subscribers whose address hard-bounced.
func sweepBounced(env *Env) error {
	ns := env.Subs.Raw()
	opts := &kv.ListOptions{Prefix: "bounced:", Limit: 500}
	for range 20 {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			list, ek, _ := strings.Cut(strings.TrimPrefix(k.Name, "bounced:"), ":")
			if email, err := url.PathUnescape(ek); err == nil {
				if err := env.Subs.Delete(subscribers.Key(list, email)); err != nil {
					return err
				}
			}
		}
		opts.Cursor = res.Cursor
	}
	return nil
}

// pruneDrafts deletes draft previews written before drafts had a TTL.
func pruneDrafts(env *Env) error {
	ns := env.Content.Raw()
	opts := &kv.ListOptions{Prefix: "draft:", Limit: 1000}
	for range 10 {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			if k.Expiration == 0 {
				if err := ns.Delete(k.Name); err != nil {
					return err
				}
			}
		}
		if res.ListComplete {
			return nil
		}
		opts = &kv.ListOptions{Cursor: res.Cursor, Limit: 1000}
	}
	return nil
}

// rebuildSearchIndex writes the list of all slugs used by search-as-you-type.
func rebuildSearchIndex(env *Env) error {
	const maxPages = 40
	var slugs []string
	cursor := ""
	for range maxPages {
		page, err := env.Content.List("slug:", cursor, 1000)
		if err != nil {
			return err
		}
		for _, e := range page.Keys {
			if s, err := url.PathUnescape(strings.TrimPrefix(string(e.Name), "slug:")); err == nil {
				slugs = append(slugs, s)
			}
		}
		if page.Done {
			out, _ := json.Marshal(slugs)
			return env.Content.Put("index:slugs", string(out), 0)
		}
		cursor = page.Cursor
		if err := checkpoint(env.Content, "index:cursor", cursor); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return fmt.Errorf("jobs: search index has more than %d pages of slugs", maxPages)
}

// checkpoint records how far a long rebuild got, for the ops dashboard.
func checkpoint(p kvstore.Putter, k kvstore.Key, cursor string) error {
	return p.Put(k, cursor, 24*time.Hour)
}

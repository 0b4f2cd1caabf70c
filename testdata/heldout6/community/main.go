// Command community is the forum Worker: HTTP API plus the scheduled jobs.
package main

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"

	"example.com/community/internal/admin"
	"example.com/community/internal/d1store"
	"example.com/community/internal/digest"
	"example.com/community/internal/forum"
	"example.com/community/internal/gdpr"
	"example.com/community/internal/httpapi"
	"example.com/community/internal/invites"
	"example.com/community/internal/moderation"
	"example.com/community/internal/notify"
	"example.com/community/internal/search"
	"example.com/community/internal/sessions"
	"example.com/community/internal/store"
	"example.com/community/internal/store/cached"
	"example.com/community/internal/store/kvstore"
	"example.com/community/internal/store/logged"
	"example.com/community/internal/users"
)

// must aborts start-up; a Worker with a missing binding can't serve anything.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: slog.LevelInfo}))

	usersNS := must(kvstore.Open("USERS"))
	sessNS := must(kvstore.Open("SESSIONS"))
	forumNS := must(kvstore.Open("FORUM"))
	cacheNS := must(kvstore.Open("CACHE"))
	db := must(d1store.Open("DB"))

	usersKV := logged.New(usersNS, log, "users")
	sessKV := logged.New(sessNS, log, "sessions")
	cacheKV := logged.New(cacheNS, log, "cache")
	// Thread documents and front-page projections are read on every page
	// view, so they get the isolate-local read-through layer.
	forumKV := cached.New(logged.New(forumNS, log, "forum"),
		cached.WithLocalTTL(2*time.Second),
		cached.WithEdgeCacheTTL(20*time.Second), // EXPECT kvttl
		cached.WithMaxItems(2048),
	)
	mail := logMailer{log.With("from", "community@example.com")}

	sessMgr := sessions.NewManager(sessKV, sessions.Config{
		ShortTTL:    12 * time.Hour,
		RememberTTL: 30 * 24 * time.Hour,
		TouchEvery:  5 * time.Minute,
	})
	userSvc := users.NewService(usersKV, mail, sessMgr, users.Config{
		VerifyCodeTTL:     45 * time.Second, // EXPECT kvttl
		VerifyMaxAttempts: 5,
		AttemptWindow:     15 * time.Minute,
	})
	notifySvc := notify.NewService(forumKV, notify.WithInboxSize(200))
	forumSvc := forum.NewService(forumKV, forum.Deps{Load: forumKV.Get, Save: forumKV.Put}, db, db, notifySvc)
	suggester := search.NewSuggester(cacheKV, db,
		search.WithFreshFor(40*time.Second), // EXPECT kvttl
		search.WithEdgeTTL(2*time.Minute),
		search.WithLimit(10),
	)
	userKeys := func(prefixes ...string) func(string) []string {
		return func(uid string) []string {
			out := make([]string, len(prefixes))
			for i, p := range prefixes {
				out[i] = p + uid
			}
			return out
		}
	}
	eraser := gdpr.NewEraser(usersKV, sessKV, []gdpr.Target{
		{KV: usersKV, Prefixes: userKeys(users.UserPrefix, users.CodePrefix, "verify-attempts:", "resend-cooldown:")},
		{KV: sessKV, Prefixes: userKeys("revoked:", "usess:")},
		{KV: forumKV, Prefixes: userKeys("inbox:", "unread:", "snooze:")},
		{KV: cacheKV, Prefixes: userKeys(search.RecentPrefix), Large: true},
	}, 20*time.Second, log)
	digestJob := digest.NewJob(forumKV, cacheKV, digest.Config{Concurrency: 8, Window: 24 * time.Hour, SamplePages: 3}, log)

	// Feature flags are flipped from the dashboard; minutes of edge caching
	// are fine.
	flag := func(ctx context.Context, name string) bool {
		raw, err := cacheKV.Get(ctx, "flag:"+name, store.WithCacheTTL(5*time.Minute))
		return err == nil && string(raw) == "on"
	}
	admins := map[string]bool{}
	for _, id := range strings.Split(cloudflare.Getenv("ADMIN_USER_IDS"), ",") {
		admins[strings.TrimSpace(id)] = id != ""
	}

	srv := httpapi.New(httpapi.Services{
		Users:    userSvc,
		Sessions: sessMgr,
		Forum:    forumSvc,
		Mod:      moderation.NewQueue(forumKV, moderation.Config{AutoHideAfter: 3, ReviewWindow: 48 * time.Hour}),
		Notify:   notifySvc,
		Invites:  invites.NewService(usersKV),
		Search:   suggester,
		Export:   admin.NewExporter(usersKV, cacheKV),
		Erase:    eraser,
		Digest:   digestJob,
		Titles:   db,
		Mail:     mail,
	}, httpapi.Bindings{
		Users:    usersNS.Namespace(),
		Sessions: sessNS.Namespace(),
		Forum:    forumNS.Namespace(),
		Cache:    cacheNS.Namespace(),
	}, httpapi.Config{
		CookieName:     "cm_session",
		BaseURL:        "https://community.example.com",
		ResetTokenTTL:  time.Hour,
		InviteValidFor: 7 * 24 * time.Hour,
		RateLimit:      20,
		Admins:         admins,
		Flag:           flag,
	}, log)

	jobs := map[string]func(context.Context) error{
		"0 6 * * *":    digestJob.Run,
		"*/15 * * * *": eraser.Process,
	}
	cron.ScheduleTaskNonBlock(func(ctx context.Context) error {
		ev, err := cron.NewEvent(ctx)
		if err != nil {
			return err
		}
		if run, ok := jobs[ev.Cron]; ok {
			return run(ctx)
		}
		log.Warn("no job for schedule", "cron", ev.Cron)
		return nil
	})
	workers.Serve(srv)
}

// logMailer hands messages to the log drain; the mail relay consumes them from
// there.
type logMailer struct{ *slog.Logger }

func (m logMailer) Send(ctx context.Context, to, subject, body string) error {
	m.InfoContext(ctx, "mail", "to", to, "subject", subject, "bytes", len(body))
	return nil
}

// Command backoffice runs next to the helpdesk database. It receives the
// database's change webhooks and projects them into Workers KV over the REST
// API; with -cron it runs the scheduled maintenance jobs once and exits.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/helpdeskco/sanderling/internal/accounts"
	"github.com/helpdeskco/sanderling/internal/config"
	"github.com/helpdeskco/sanderling/internal/jobs"
	"github.com/helpdeskco/sanderling/internal/load"
	"github.com/helpdeskco/sanderling/internal/rest"
	"github.com/helpdeskco/sanderling/internal/sla"
	"github.com/helpdeskco/sanderling/internal/tickets"
)

type (
	ticketEvent struct {
		Ticket   tickets.Ticket `json:"ticket"`
		Priority string         `json:"priority"`
		Assignee string         `json:"assignee"`
		Tags     tickets.Tags   `json:"tags"`
		Note     *tickets.Note  `json:"note"`
		AgentID  string         `json:"agent_id"`
		Until    time.Time      `json:"until"`
		OnHold   bool           `json:"on_hold"`
	}
	agentEvent struct {
		AgentID     string               `json:"agent_id"`
		At          time.Time            `json:"at"`
		Credentials accounts.Credentials `json:"credentials"`
	}
	policyEvent struct {
		OrgID  string     `json:"org_id"`
		Policy sla.Policy `json:"policy"`
	}
)

// hook decodes a webhook body into T before calling fn.
func hook[T any](fn func(ctx context.Context, ev T) error) func(context.Context, []byte) error {
	return func(ctx context.Context, body []byte) error {
		var ev T
		if err := json.Unmarshal(body, &ev); err != nil {
			return jobs.Permanent(err)
		}
		return fn(ctx, ev)
	}
}

func main() {
	addr := flag.String("addr", ":8081", "webhook listen address")
	runCron := flag.Bool("cron", false, "run the scheduled jobs once and exit")
	flag.Parse()

	cfg := config.Load(os.Getenv)
	rest.Setup(cfg.Cloudflare)
	api := &apiClient{base: strings.TrimRight(cfg.Widget.Origin, "/"), token: os.Getenv("HELPDESK_INTERNAL_TOKEN")}
	tk := tickets.NewRepo(cfg, load.LoaderFunc(api.ticketRow))
	sl := sla.New(cfg, api.page)
	acct := accounts.New(cfg)

	if *runCron {
		if err := cronJobs(cfg, tk, sl, acct, api)(context.Background()); err != nil {
			log.Fatal(err)
		}
		return
	}

	hooks := []struct {
		path    string
		timeout time.Duration
		handle  func(context.Context, []byte) error
	}{
		{"/hooks/ticket.opened", 10 * time.Second, hook(func(ctx context.Context, ev ticketEvent) error {
			if _, err := tk.ChargeImport(ctx, ev.Ticket.OrgID, 1); err != nil {
				return err
			}
			if err := sl.ArmFirstResponse(ctx, ev.Ticket.ID, ev.Ticket.Opened); err != nil {
				return err
			}
			return sl.ArmResolution(ctx, ev.Ticket.ID, ev.Ticket.Opened)
		})},
		{"/hooks/ticket.updated", 10 * time.Second, hook(func(ctx context.Context, ev ticketEvent) error {
			if ev.Priority != "" {
				if err := tk.SetPriority(ctx, ev.Ticket.ID, ev.Priority); err != nil {
					return err
				}
			}
			if ev.Assignee != "" {
				if err := tk.Reassign(ctx, ev.Ticket.ID, ev.Assignee); err != nil {
					return err
				}
			}
			return ev.Tags.Save(ctx, ev.Ticket.ID)
		})},
		{"/hooks/ticket.note", 10 * time.Second, hook(func(ctx context.Context, ev ticketEvent) error {
			if err := tk.AddNote(ctx, ev.Ticket.ID, *ev.Note); err != nil {
				return err
			}
			ws, err := tk.WatchersOf(ctx, ev.Ticket.ID)
			if err != nil {
				return err
			}
			if err := ws.MarkUnread(ctx, ev.Ticket.ID); err != nil {
				return err
			}
			return ws.Notify(ctx, ev.Ticket.ID, api.notify)
		})},
		{"/hooks/ticket.viewed", 5 * time.Second, hook(func(ctx context.Context, ev ticketEvent) error {
			if err := tk.Watch(ctx, ev.Ticket.ID, ev.AgentID); err != nil {
				return err
			}
			return tk.RecordView(ctx, ev.Ticket.ID)
		})},
		{"/hooks/ticket.snoozed", 10 * time.Second, hook(func(ctx context.Context, ev ticketEvent) error {
			if ev.OnHold {
				return sl.Hold(ctx, ev.Ticket.ID, ev.Until)
			}
			return sl.Snooze(ctx, ev.Ticket.ID, ev.Until)
		})},
		{"/hooks/ticket.closed", 10 * time.Second, hook(func(ctx context.Context, ev ticketEvent) error {
			if err := sl.Stop(ctx, ev.Ticket.ID); err != nil {
				return err
			}
			return tk.Close(ctx, ev.Ticket)
		})},
		{"/hooks/agent.deactivated", 10 * time.Second, hook(func(ctx context.Context, ev agentEvent) error {
			return acct.Deactivate(ctx, ev.AgentID, ev.At)
		})},
		{"/hooks/agent.password_changed", 10 * time.Second, hook(func(ctx context.Context, ev agentEvent) error {
			return acct.PasswordChanged(ctx, ev.AgentID, ev.Credentials)
		})},
		{"/hooks/org.policy", 10 * time.Second, hook(func(ctx context.Context, ev policyEvent) error {
			if err := sl.EnsurePolicy(ctx, ev.OrgID, ev.Policy); err != nil {
				return err
			}
			if err := sl.PublishTier(ctx, ev.OrgID, ev.Policy); err != nil {
				return err
			}
			return sl.PublishPolicy(ctx, ev.OrgID, ev.Policy)
		})},
	}

	mux := http.NewServeMux()
	for _, h := range hooks {
		mux.HandleFunc("POST "+h.path, func(w http.ResponseWriter, r *http.Request) {
			body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			run := jobs.WithRetry(3, 200*time.Millisecond, jobs.WithTimeout(h.timeout, func(ctx context.Context) error {
				return h.handle(ctx, body)
			}))
			if err := run(r.Context()); err != nil {
				log.Printf("%s: %v", h.path, err)
				http.Error(w, "failed", http.StatusInternalServerError)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		})
	}
	mux.HandleFunc("GET /admin/tickets/{id}/summary", func(w http.ResponseWriter, r *http.Request) {
		sum, err := tk.Summary(r.Context(), r.PathValue("id"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		_ = json.NewEncoder(w).Encode(sum)
	})
	mux.HandleFunc("GET /admin/kv/export", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-ndjson")
		if err := tk.Export(r.Context(), w); err != nil {
			log.Printf("export: %v", err)
		}
	})
	log.Printf("backoffice listening on %s", *addr)
	log.Fatal(http.ListenAndServe(*addr, mux))
}

// cronJobs is the scheduled maintenance, run by the platform scheduler every
// ten minutes.
func cronJobs(cfg config.Config, tk *tickets.Repo, sl *sla.Service, acct *accounts.Service, api *apiClient) jobs.Job {
	sweep := jobs.Logged("sla-sweep", jobs.WithRetry(3, 2*time.Second, jobs.WithTimeout(2*time.Minute, sl.Sweep)))
	reindex := jobs.Logged("search-reindex", jobs.WithTimeout(5*time.Minute, func(ctx context.Context) error {
		return tk.RebuildSearchIndex(ctx, cfg.KV.MaxPages)
	}))
	calendar := jobs.Logged("calendar", jobs.WithRetry(2, 5*time.Second, func(ctx context.Context) error {
		now := time.Now().UTC()
		if now.Weekday() != time.Sunday || now.Hour() != 0 || now.Minute() >= 10 {
			return nil
		}
		return sl.SeedCalendar(ctx, now.Truncate(24*time.Hour), api.isOpen)
	}))
	directory := jobs.Logged("team-directory", jobs.WithTimeout(time.Minute, func(ctx context.Context) error {
		b, err := api.do(ctx, http.MethodGet, "/internal/teams")
		if err != nil {
			return err
		}
		return acct.PublishTeams(ctx, b)
	}))
	return jobs.Sequence(sweep, reindex, calendar, directory)
}

// apiClient calls the helpdesk's internal API.
type apiClient struct{ base, token string }

func (a *apiClient) do(ctx context.Context, method, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode >= 300 {
		return nil, fmt.Errorf("%s %s: %s", method, path, res.Status)
	}
	return io.ReadAll(res.Body)
}

// ticketRow loads the database row behind a "tkt:<id>" key.
func (a *apiClient) ticketRow(ctx context.Context, key string) ([]byte, error) {
	return a.do(ctx, http.MethodGet, "/internal/tickets/"+key[strings.LastIndex(key, ":")+1:])
}

func (a *apiClient) page(ctx context.Context, ticketID string, level int) error {
	_, err := a.do(ctx, http.MethodPost, fmt.Sprintf("/internal/escalations/%s?level=%d", ticketID, level))
	return err
}

func (a *apiClient) notify(ctx context.Context, agentID string) error {
	_, err := a.do(ctx, http.MethodPost, "/internal/notifications/"+agentID)
	return err
}

func (a *apiClient) isOpen(t time.Time) bool {
	wd := t.Weekday()
	return wd != time.Saturday && wd != time.Sunday && t.Hour() >= 8 && t.Hour() < 18
}

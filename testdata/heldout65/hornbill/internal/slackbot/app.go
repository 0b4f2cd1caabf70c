// Package slackbot is hornbill's Slack app. Finance teams install it per
// workspace to see usage, change plans from a modal and get dunning notices.
package slackbot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/hornbill-billing/hornbill/internal/billing"
	"github.com/hornbill-billing/hornbill/internal/kvstore"
)

type (
	slashHandler    func(ctx context.Context, cmd slack.SlashCommand) (any, error)
	actionHandler   func(ctx context.Context, cb slack.InteractionCallback, act *slack.BlockAction) error
	viewHandler     func(ctx context.Context, cb slack.InteractionCallback) (*slack.ViewSubmissionResponse, error)
	shortcutHandler func(ctx context.Context, cb slack.InteractionCallback) error
	eventHandler    func(ctx context.Context, teamID string, inner slackevents.EventsAPIInnerEvent) error
)

// Config holds the Slack app's credentials.
type Config struct {
	ClientID     string
	ClientSecret string
	RedirectURL  string
	AppToken     string
	BotToken     string
}

// App dispatches Socket Mode envelopes to the handler tables.
type App struct {
	cfg       Config
	kv        *kvstore.Store
	billing   *billing.Service
	log       *slog.Logger
	api       *slack.Client
	sm        *socketmode.Client
	http      *http.Client
	slash     map[string]slashHandler
	actions   map[string]actionHandler
	views     map[string]viewHandler
	shortcuts map[string]shortcutHandler
	events    map[string]eventHandler
}

// New builds the app and its handler tables.
func New(cfg Config, store *kvstore.Store, svc *billing.Service, log *slog.Logger) *App {
	api := slack.New(cfg.BotToken, slack.OptionAppLevelToken(cfg.AppToken))
	a := &App{cfg: cfg, kv: store, billing: svc, log: log, api: api, sm: socketmode.New(api), http: http.DefaultClient}
	a.slash = map[string]slashHandler{
		"/hornbill-usage": a.slashUsage,
		"/hornbill-plan":  a.slashPlan,
	}
	a.actions = map[string]actionHandler{
		"plan_select":  a.actionPlanSelect,
		"seats_select": a.actionSeatsSelect,
	}
	a.views = map[string]viewHandler{
		"plan_change": a.submitPlanChange,
	}
	a.shortcuts = map[string]shortcutHandler{
		"attach_invoice_note": a.shortcutInvoiceNote,
	}
	a.events = map[string]eventHandler{
		string(slackevents.AppUninstalled): a.onUninstalled,
		string(slackevents.TokensRevoked):  a.onUninstalled,
	}
	return a
}

// Run reads Socket Mode events until ctx ends.
func (a *App) Run(ctx context.Context) error {
	go func() {
		for evt := range a.sm.Events {
			a.handle(ctx, evt)
		}
	}()
	return a.sm.RunContext(ctx)
}

func (a *App) handle(ctx context.Context, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeSlashCommand:
		cmd, ok := evt.Data.(slack.SlashCommand)
		if !ok {
			return
		}
		h, ok := a.slash[cmd.Command]
		if !ok {
			a.sm.Ack(*evt.Request)
			return
		}
		payload, err := h(ctx, cmd)
		if err != nil {
			a.log.Error("slash command", "cmd", cmd.Command, "team", cmd.TeamID, "err", err)
			payload = map[string]any{"response_type": "ephemeral", "text": "hornbill hit a snag, try again shortly."}
		}
		a.sm.Ack(*evt.Request, payload)

	case socketmode.EventTypeInteractive:
		cb, ok := evt.Data.(slack.InteractionCallback)
		if !ok {
			return
		}
		resp, err := a.interactive(ctx, cb)
		if err != nil {
			a.log.Error("interaction", "type", cb.Type, "team", cb.Team.ID, "err", err)
		}
		if resp != nil {
			a.sm.Ack(*evt.Request, resp)
		} else {
			a.sm.Ack(*evt.Request)
		}

	case socketmode.EventTypeEventsAPI:
		ev, ok := evt.Data.(slackevents.EventsAPIEvent)
		if !ok {
			return
		}
		a.sm.Ack(*evt.Request)
		if h, ok := a.events[ev.InnerEvent.Type]; ok {
			if err := h(ctx, ev.TeamID, ev.InnerEvent); err != nil {
				a.log.Error("slack event", "type", ev.InnerEvent.Type, "team", ev.TeamID, "err", err)
			}
		}
	}
}

func (a *App) interactive(ctx context.Context, cb slack.InteractionCallback) (any, error) {
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		var errs []error
		for _, act := range cb.ActionCallback.BlockActions {
			if h, ok := a.actions[act.ActionID]; ok {
				errs = append(errs, h(ctx, cb, act))
			}
		}
		return nil, errors.Join(errs...)
	case slack.InteractionTypeViewSubmission:
		if h, ok := a.views[cb.View.CallbackID]; ok {
			return h(ctx, cb)
		}
	case slack.InteractionTypeMessageAction, slack.InteractionTypeShortcut:
		if h, ok := a.shortcuts[cb.CallbackID]; ok {
			return nil, h(ctx, cb)
		}
	}
	return nil, nil
}

// clientFor returns an API client that acts with the workspace's bot token.
func (a *App) clientFor(ctx context.Context, teamID string) (*slack.Client, error) {
	var tok tokenRecord
	raw, _ := a.kv.Get(ctx, tokenKey(teamID)) // EXPECT kvnull
	if err := json.Unmarshal(raw, &tok); err != nil {
		return nil, fmt.Errorf("slack token for %s: %w", teamID, err)
	}
	return slack.New(tok.AccessToken), nil
}

const slashLimitPerMinute = 20

func (a *App) slashUsage(ctx context.Context, cmd slack.SlashCommand) (any, error) {
	rlKey := "ratelimit:slack:usage:" + cmd.TeamID
	calls := 0
	if raw, err := a.kv.Get(ctx, rlKey); err == nil {
		calls, _ = strconv.Atoi(string(raw))
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}
	if calls >= slashLimitPerMinute {
		return map[string]any{"response_type": "ephemeral", "text": "Slow down a little: try again in a minute."}, nil
	}
	if err := a.kv.Put(ctx, rlKey, []byte(strconv.Itoa(calls+1)), time.Minute); err != nil { // EXPECT kvcounter|kvrace
		return nil, err
	}

	inst, err := a.installation(ctx, cmd.TeamID)
	if err != nil {
		return nil, err
	}
	snap, err := a.billing.Snapshot(ctx, inst.CustomerID)
	if err != nil {
		return nil, err
	}
	text := "*Usage this month*\n"
	for metric, n := range snap {
		text += fmt.Sprintf("• %s: %d\n", metric, n)
	}
	return map[string]any{"response_type": "ephemeral", "text": text}, nil
}

// Package slackapp is the staff-side Slack app: moderators file reports on
// Discord members from Slack, broadcast maintenance notices and keep notes.
// It runs over Socket Mode; per-workspace OAuth installations are in KV.
package slackapp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/accentor/accentor/internal/kvstore"
)

type slashHandler func(ctx context.Context, cmd slack.SlashCommand) (any, error)

type interactionHandler func(ctx context.Context, cb slack.InteractionCallback) (any, error)

// App is the Socket Mode app.
type App struct {
	ns       *kvstore.Namespace
	log      *slog.Logger
	oauth    OAuthConfig
	socket   *socketmode.Client
	api      *slack.Client
	installs *Installations

	slash        map[string]slashHandler
	viewHandlers map[string]interactionHandler
	actions      map[string]interactionHandler
	shortcuts    map[string]interactionHandler

	dailyCommandQuota int
}

// New builds the app around an app-level token and a bot token for the
// home workspace; other workspaces use their installation's token.
func New(ns *kvstore.Namespace, appToken, botToken string, oauth OAuthConfig, log *slog.Logger) *App {
	api := slack.New(botToken, slack.OptionAppLevelToken(appToken))
	a := &App{
		ns:                ns,
		log:               log,
		oauth:             oauth,
		api:               api,
		socket:            socketmode.New(api),
		installs:          &Installations{ns: ns, oauth: oauth},
		dailyCommandQuota: 200,
	}
	a.slash = map[string]slashHandler{
		"/report":    a.slashReport,
		"/broadcast": a.slashBroadcast,
		"/notes":     a.slashNotes,
	}
	a.viewHandlers = map[string]interactionHandler{
		"report_modal": a.submitReport,
	}
	a.actions = map[string]interactionHandler{
		"report_severity": a.updateReportDraft,
		"report_evidence": a.updateReportDraft,
	}
	a.shortcuts = map[string]interactionHandler{
		"save_to_notes": a.saveToNotes,
	}
	return a
}

// Run consumes Socket Mode events until ctx is cancelled.
func (a *App) Run(ctx context.Context) error {
	go func() {
		if err := a.socket.RunContext(ctx); err != nil && !errors.Is(err, context.Canceled) {
			a.log.Error("socket mode stopped", "err", err)
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case evt, ok := <-a.socket.Events:
			if !ok {
				return nil
			}
			a.handle(ctx, evt)
			if evt.Request != nil {
				stamp := strconv.FormatInt(time.Now().Unix(), 10)
				if err := a.ns.Put(ctx, "slack:socket:last-event", []byte(stamp), 0); err != nil { // EXPECT kvhotkey
					a.log.Warn("heartbeat", "err", err)
				}
			}
		}
	}
}

func (a *App) handle(ctx context.Context, evt socketmode.Event) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()

	switch evt.Type {
	case socketmode.EventTypeSlashCommand:
		cmd, ok := evt.Data.(slack.SlashCommand)
		if !ok {
			return
		}
		payload, err := a.dispatchSlash(ctx, cmd)
		a.ack(evt, payload, err)
	case socketmode.EventTypeInteractive:
		cb, ok := evt.Data.(slack.InteractionCallback)
		if !ok {
			return
		}
		payload, err := a.dispatchInteraction(ctx, cb)
		a.ack(evt, payload, err)
	case socketmode.EventTypeEventsAPI:
		ev, ok := evt.Data.(slackevents.EventsAPIEvent)
		if !ok {
			return
		}
		a.socket.Ack(*evt.Request)
		if err := a.handleEvent(ctx, ev); err != nil {
			a.log.Error("events api", "type", ev.InnerEvent.Type, "err", err)
		}
	case socketmode.EventTypeConnected:
		a.log.Info("socket mode connected")
	}
}

func (a *App) ack(evt socketmode.Event, payload any, err error) {
	if evt.Request == nil {
		return
	}
	if err != nil {
		a.log.Error("slack interaction", "err", err)
		payload = map[string]any{"response_type": "ephemeral", "text": "Sorry, that failed: " + err.Error()}
	}
	if payload == nil {
		a.socket.Ack(*evt.Request)
		return
	}
	a.socket.Ack(*evt.Request, payload)
}

func (a *App) dispatchSlash(ctx context.Context, cmd slack.SlashCommand) (any, error) {
	h, ok := a.slash[cmd.Command]
	if !ok {
		return nil, fmt.Errorf("unknown command %s", cmd.Command)
	}
	if err := a.chargeQuota(ctx, cmd.TeamID); err != nil {
		return nil, err
	}
	return h(ctx, cmd)
}

func (a *App) dispatchInteraction(ctx context.Context, cb slack.InteractionCallback) (any, error) {
	switch cb.Type {
	case slack.InteractionTypeViewSubmission:
		if h, ok := a.viewHandlers[cb.View.CallbackID]; ok {
			return h(ctx, cb)
		}
	case slack.InteractionTypeBlockActions:
		for _, act := range cb.ActionCallback.BlockActions {
			if h, ok := a.actions[act.ActionID]; ok {
				return h(ctx, cb)
			}
		}
	case slack.InteractionTypeMessageAction, slack.InteractionTypeShortcut:
		if h, ok := a.shortcuts[cb.CallbackID]; ok {
			return h(ctx, cb)
		}
	}
	return nil, nil
}

func (a *App) handleEvent(ctx context.Context, ev slackevents.EventsAPIEvent) error {
	switch inner := ev.InnerEvent.Data.(type) {
	case *slackevents.AppUninstalledEvent:
		return a.installs.Remove(ctx, ev.TeamID)
	case *slackevents.TokensRevokedEvent:
		if len(inner.Tokens.Bot) > 0 {
			return a.installs.ForgetAccessToken(ctx, ev.TeamID)
		}
	case *slackevents.AppMentionEvent:
		api, err := a.clientFor(ctx, ev.TeamID)
		if err != nil {
			return err
		}
		_, _, err = api.PostMessageContext(ctx, inner.Channel,
			slack.MsgOptionText("Use `/report` to file a report, or the *Save to notes* shortcut.", false),
			slack.MsgOptionTS(inner.TimeStamp))
		return err
	}
	return nil
}

// clientFor returns an API client authorised for the given workspace.
func (a *App) clientFor(ctx context.Context, teamID string) (*slack.Client, error) {
	tok, err := a.installs.AccessToken(ctx, teamID)
	if err != nil {
		return nil, err
	}
	return slack.New(tok), nil
}

// chargeQuota counts slash commands per workspace per UTC day.
func (a *App) chargeQuota(ctx context.Context, teamID string) error {
	key := "quota:slash:" + teamID + ":" + time.Now().UTC().Format("20060102")
	used := 0
	raw, err := a.ns.Get(ctx, key)
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
	case err != nil:
		return err
	default:
		if used, err = strconv.Atoi(strings.TrimSpace(string(raw))); err != nil {
			return err
		}
	}
	if used >= a.dailyCommandQuota {
		return fmt.Errorf("this workspace used its %d commands for today", a.dailyCommandQuota)
	}
	return a.ns.Put(ctx, key, []byte(strconv.Itoa(used+1)), 48*time.Hour) // EXPECT kvcounter|kvrace
}

// slashBroadcast posts a maintenance notice to every installed workspace.
func (a *App) slashBroadcast(ctx context.Context, cmd slack.SlashCommand) (any, error) {
	if cmd.TeamID != a.oauth.HomeTeamID {
		return nil, errors.New("broadcasts can only be sent from the home workspace")
	}
	res, err := a.ns.Client().KV.Namespaces.Keys.List(ctx, a.ns.ID(), listParams(a.ns.Account(), installPrefix)) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	sent := 0
	for _, k := range res.Result {
		var inst Installation
		if err := a.ns.GetJSON(ctx, k.Name, &inst); err != nil { // EXPECT kvlist
			a.log.Warn("broadcast: load installation", "key", k.Name, "err", err)
			continue
		}
		if inst.AnnounceChannel == "" {
			continue
		}
		api, err := a.clientFor(ctx, inst.TeamID)
		if err != nil {
			continue
		}
		if _, _, err := api.PostMessageContext(ctx, inst.AnnounceChannel, slack.MsgOptionText(cmd.Text, false)); err == nil {
			sent++
		}
	}
	return map[string]any{"response_type": "ephemeral", "text": fmt.Sprintf("Sent to %d workspaces.", sent)}, nil
}

// Installations exposes the OAuth install handlers for mounting.
func (a *App) Installations() *Installations { return a.installs }

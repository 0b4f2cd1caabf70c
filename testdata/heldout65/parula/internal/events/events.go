// Package events reacts to Events API callbacks delivered over socket mode.
package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/parula-labs/parula/internal/commands"
	"github.com/parula-labs/parula/internal/install"
	"github.com/parula-labs/parula/internal/kvstore"
	"github.com/parula-labs/parula/internal/quota"
)

// profileTTL bounds how stale a cached user profile may be.
const profileTTL = 6 * time.Hour

// Clients hands out a Slack client for a team.
type Clients interface {
	For(ctx context.Context, team string) (*slack.Client, error)
}

// Router receives inner events and routes them by type.
type Router struct {
	kv       *kvstore.Namespace
	installs *install.Registry
	meter    *quota.Meter
	clients  Clients
	log      *slog.Logger

	mu       sync.Mutex
	mentions map[string]int // per user, since process start
}

func NewRouter(kv *kvstore.Namespace, installs *install.Registry, meter *quota.Meter, clients Clients, log *slog.Logger) *Router {
	return &Router{kv: kv, installs: installs, meter: meter, clients: clients, log: log, mentions: map[string]int{}}
}

// Handle is called by the socket-mode dispatcher for each Events API payload.
func (r *Router) Handle(ctx context.Context, ev slackevents.EventsAPIEvent) error {
	if err := r.kv.Put(ctx, "bot:last_event_at", []byte(time.Now().UTC().Format(time.RFC3339Nano))); err != nil { // EXPECT kvhotkey
		r.log.Warn("heartbeat write", "err", err)
	}
	team := ev.TeamID
	switch inner := ev.InnerEvent.Data.(type) {
	case *slackevents.AppMentionEvent:
		return r.onMention(ctx, team, inner)
	case *slackevents.ReactionAddedEvent:
		r.onReaction(ctx, team, inner)
		return nil
	case *slackevents.MemberJoinedChannelEvent:
		return r.onJoin(ctx, team, inner)
	case *slackevents.AppHomeOpenedEvent:
		return r.onHomeOpened(ctx, team, inner)
	case *slackevents.AppUninstalledEvent:
		return r.installs.Uninstall(ctx, team)
	case *slackevents.TokensRevokedEvent:
		return r.installs.RevokeUserTokens(ctx, team, inner.Tokens.Oauth)
	default:
		r.log.Debug("ignored event", "type", ev.InnerEvent.Type)
		return nil
	}
}

type profile struct {
	Name    string `json:"name"`
	TZ      string `json:"tz"`
	IsAdmin bool   `json:"is_admin"`
	IsBot   bool   `json:"is_bot"`
	Fetched int64  `json:"fetched"`
}

func profileKey(team, user string) string { return "profile:" + team + ":" + user }

// profile reads a user through the KV cache, falling back to users.info.
func (r *Router) profile(ctx context.Context, api *slack.Client, team, user string) (profile, error) {
	var p profile
	err := r.kv.GetJSON(ctx, profileKey(team, user), &p)
	if err == nil {
		return p, nil
	}
	if !errors.Is(err, kvstore.ErrNotFound) {
		return p, err
	}
	u, err := api.GetUserInfoContext(ctx, user)
	if err != nil {
		return p, err
	}
	p = profile{Name: u.RealName, TZ: u.TZ, IsAdmin: u.IsAdmin, IsBot: u.IsBot, Fetched: time.Now().Unix()}
	if err := r.kv.PutJSON(ctx, profileKey(team, user), p, profileTTL); err != nil {
		r.log.Warn("cache profile", "err", err)
	}
	return p, nil
}

func (r *Router) onMention(ctx context.Context, team string, ev *slackevents.AppMentionEvent) error {
	if err := r.meter.Charge(ctx, team, 1); err != nil {
		if errors.Is(err, quota.ErrExceeded) {
			return r.reply(ctx, team, ev.Channel, ev.TimeStamp, "This workspace is out of assistant calls for the month.")
		}
		return err
	}
	r.meter.Record(team)
	api, err := r.clients.For(ctx, team)
	if err != nil {
		return err
	}
	p, err := r.profile(ctx, api, team, ev.User)
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.mentions[ev.User]++
	n := r.mentions[ev.User]
	r.mu.Unlock()
	if err := r.kv.Put(ctx, "mentions:"+team+":"+ev.User, []byte(fmt.Sprint(n))); err != nil { // EXPECT kvcounter
		r.log.Warn("mention tally", "err", err)
	}
	text := fmt.Sprintf("Hi %s! Try /standup, /kudos or /quota.", p.Name)
	return r.reply(ctx, team, ev.Channel, ev.TimeStamp, text)
}

func (r *Router) reply(ctx context.Context, team, channel, threadTS, text string) error {
	api, err := r.clients.For(ctx, team)
	if err != nil {
		return err
	}
	_, _, err = api.PostMessageContext(ctx, channel, slack.MsgOptionText(text, false), slack.MsgOptionTS(threadTS))
	return err
}

// onReaction gives a point for the workspace's kudos emoji and keeps a
// plain-text log of who reacted, for the weekly recap.
func (r *Router) onReaction(ctx context.Context, team string, ev *slackevents.ReactionAddedEvent) {
	settings, err := commands.LoadSettings(ctx, r.kv, team)
	if err != nil || ev.Reaction != settings.KudosEmoji || ev.ItemUser == "" || ev.ItemUser == ev.User {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if _, err := commands.AwardPoints(ctx, r.kv, team, ev.ItemUser, 1); err != nil {
			r.log.Warn("award points", "err", err)
			return
		}
		key := "recap:" + team + ":" + time.Now().UTC().Format("2006-W01")
		old, err := r.kv.Get(ctx, key)
		if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
			return
		}
		line := fmt.Sprintf("%s\t%s\t%s\n", ev.EventTimestamp, ev.User, ev.ItemUser)
		if err := r.kv.PutTTL(ctx, key, append(old, line...), 21*24*time.Hour); err != nil { // EXPECT kvrace
			r.log.Warn("recap log", "err", err)
		}
	}()
}

// onJoin greets people the first time they join a channel Parula is in.
func (r *Router) onJoin(ctx context.Context, team string, ev *slackevents.MemberJoinedChannelEvent) error {
	key := "welcomed:" + team + ":" + ev.User
	if _, err := r.kv.Get(ctx, key); err == nil {
		return nil
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	settings, err := commands.LoadSettings(ctx, r.kv, team)
	if err != nil {
		return err
	}
	api, err := r.clients.For(ctx, team)
	if err != nil {
		return err
	}
	if _, err := api.PostEphemeralContext(ctx, ev.Channel, ev.User, slack.MsgOptionText(settings.WelcomeMessage, false)); err != nil {
		return err
	}
	return r.kv.Put(ctx, key, []byte(ev.Channel)) // DEBATABLE kvrace
}

type homeStats struct {
	Opens    int       `json:"opens"`
	LastOpen time.Time `json:"last_open"`
	Tabs     []string  `json:"tabs"`
}

// onHomeOpened keeps simple App Home engagement stats per user.
func (r *Router) onHomeOpened(ctx context.Context, team string, ev *slackevents.AppHomeOpenedEvent) error {
	key := "home:" + team + ":" + ev.User
	var st homeStats
	if raw, err := r.kv.Get(ctx, key); err == nil {
		if err := json.Unmarshal(raw, &st); err != nil {
			return err
		}
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	st.Opens++
	st.LastOpen = time.Now().UTC()
	if !strings.Contains(strings.Join(st.Tabs, ","), ev.Tab) {
		st.Tabs = append(st.Tabs, ev.Tab)
	}
	return r.kv.PutJSON(ctx, key, st, 0) // EXPECT kvrace|kvcounter
}

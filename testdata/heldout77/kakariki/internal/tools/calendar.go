package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/kakariki-ai/kakariki/internal/kvstore"
)

// Event is a calendar entry.
type Event struct {
	ID    string    `json:"id"`
	Title string    `json:"title"`
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// OAuthToken is the stored grant for the user's calendar provider.
type OAuthToken struct {
	AccessToken  string    `json:"access_token"`
	RefreshToken string    `json:"refresh_token"`
	Expiry       time.Time `json:"expiry"`
}

// CalendarAPI is the user's calendar provider.
type CalendarAPI interface {
	Events(ctx context.Context, accessToken string, from, to time.Time) ([]Event, error)
	Create(ctx context.Context, accessToken string, ev Event) (Event, error)
	Refresh(ctx context.Context, refreshToken string) (OAuthToken, error)
}

// Calendar reads and creates events in the user's connected calendar.
type Calendar struct {
	KV       *kvstore.Store
	UserID   string
	API      CalendarAPI
	CacheTTL time.Duration
}

type calendarArgs struct {
	Action          string    `json:"action"`
	From            time.Time `json:"from"`
	To              time.Time `json:"to"`
	Title           string    `json:"title"`
	Start           time.Time `json:"start"`
	DurationMinutes int       `json:"duration_minutes"`
}

func (c *Calendar) Name() string        { return "calendar" }
func (c *Calendar) Description() string { return "List or create events in the user's calendar." }
func (c *Calendar) Schema() json.RawMessage {
	return json.RawMessage(`{"type":"object","properties":{"action":{"enum":["list","create"]},"from":{"type":"string"},"to":{"type":"string"},"title":{"type":"string"},"start":{"type":"string"},"duration_minutes":{"type":"integer"}},"required":["action"]}`)
}

// TokenKey is where the user's calendar grant lives.
func TokenKey(userID string) string { return "oauth:calendar:" + userID }

func (c *Calendar) accessToken(ctx context.Context) (string, error) {
	var tok OAuthToken
	if err := c.KV.GetJSON(ctx, TokenKey(c.UserID), &tok); err != nil {
		return "", fmt.Errorf("calendar not connected: %w", err)
	}
	if time.Until(tok.Expiry) > 2*time.Minute {
		return tok.AccessToken, nil
	}
	fresh, err := c.API.Refresh(ctx, tok.RefreshToken)
	if err != nil {
		return "", err
	}
	if fresh.RefreshToken == "" {
		fresh.RefreshToken = tok.RefreshToken
	}
	if err := c.KV.PutJSON(ctx, TokenKey(c.UserID), fresh, 0); err != nil { // EXPECT kvsession|kvrace
		return "", err
	}
	return fresh.AccessToken, nil
}

// Call implements Tool.
func (c *Calendar) Call(ctx context.Context, raw json.RawMessage) (string, error) {
	args, err := decode[calendarArgs](raw)
	if err != nil {
		return "", err
	}
	token, err := c.accessToken(ctx)
	if err != nil {
		return "", err
	}
	switch args.Action {
	case "list":
		events, err := c.events(ctx, token, args.From, args.To)
		if err != nil {
			return "", err
		}
		var b strings.Builder
		for _, ev := range events {
			fmt.Fprintf(&b, "%s–%s %s\n", ev.Start.Format("Mon 15:04"), ev.End.Format("15:04"), ev.Title)
		}
		return b.String(), nil
	case "create":
		ev, err := c.API.Create(ctx, token, Event{
			Title: args.Title,
			Start: args.Start,
			End:   args.Start.Add(time.Duration(args.DurationMinutes) * time.Minute),
		})
		if err != nil {
			return "", err
		}
		_ = c.KV.Delete(ctx, c.rangeKey(ev.Start.Truncate(24*time.Hour), ev.Start.Truncate(24*time.Hour).Add(24*time.Hour)))
		return "Created " + ev.ID + ".", nil
	}
	return "", fmt.Errorf("unknown action %q", args.Action)
}

func (c *Calendar) rangeKey(from, to time.Time) string {
	return fmt.Sprintf("cal:%s:%d:%d", c.UserID, from.Unix(), to.Unix())
}

func (c *Calendar) events(ctx context.Context, token string, from, to time.Time) ([]Event, error) {
	key := c.rangeKey(from, to)
	var cached []Event
	if err := c.KV.GetJSON(ctx, key, &cached); err == nil {
		return cached, nil
	}
	events, err := c.API.Events(ctx, token, from, to)
	if err != nil {
		return nil, err
	}
	raw, _ := json.Marshal(events)
	_ = c.KV.Cache(ctx, key, raw, c.CacheTTL)
	return events, nil
}

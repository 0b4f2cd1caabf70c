// Package commands implements Parula's slash commands. Each command is looked
// up by its name from the map built in All and run by the socket-mode
// dispatcher in internal/bot.
package commands

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/parula-labs/parula/internal/kvstore"
	"github.com/parula-labs/parula/internal/quota"
	"github.com/parula-labs/parula/internal/standup"
)

// Command is one slash command.
type Command interface {
	Run(ctx context.Context, cmd slack.SlashCommand) (*slack.Msg, error)
}

// All returns the commands Parula registers with Slack, by command name.
func All(kv *kvstore.Namespace, standups *standup.Store, meter *quota.Meter) map[string]Command {
	return map[string]Command{
		"/standup": &standupCmd{kv: kv, standups: standups},
		"/kudos":   &kudosCmd{kv: kv},
		"/parula":  &settingsCmd{kv: kv},
		"/quota":   quotaCmd{meter: meter},
	}
}

func ephemeral(format string, args ...any) *slack.Msg {
	return &slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: fmt.Sprintf(format, args...)}
}

func inChannel(text string) *slack.Msg {
	return &slack.Msg{ResponseType: slack.ResponseTypeInChannel, Text: text}
}

// verb splits "create daily-eng #eng" into "create" and "daily-eng #eng".
func verb(text string) (string, string) {
	text = strings.TrimSpace(text)
	v, rest, _ := strings.Cut(text, " ")
	return strings.ToLower(v), strings.TrimSpace(rest)
}

// Settings is a workspace's configuration, edited with /parula set.
type Settings struct {
	KudosEmoji     string `json:"kudos_emoji"`
	WelcomeMessage string `json:"welcome_message"`
	DigestChannel  string `json:"digest_channel"`
	Timezone       string `json:"timezone"`
	StandupsPaused bool   `json:"standups_paused"`
}

// DefaultSettings is what a fresh installation starts with.
func DefaultSettings() Settings {
	return Settings{
		KudosEmoji:     "tada",
		WelcomeMessage: "Welcome aboard! Type /standup to see what the team is up to.",
		Timezone:       "UTC",
	}
}

func settingsKey(team string) string { return "settings:" + team }

// LoadSettings returns team's settings, or the defaults when none are saved.
func LoadSettings(ctx context.Context, kv *kvstore.Namespace, team string) (Settings, error) {
	s := DefaultSettings()
	raw, err := kv.Get(ctx, settingsKey(team))
	switch {
	case err == kvstore.ErrNotFound:
		return s, nil
	case err != nil:
		return s, err
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return s, err
	}
	return s, nil
}

type settingsCmd struct {
	kv *kvstore.Namespace
}

func (c *settingsCmd) Run(ctx context.Context, cmd slack.SlashCommand) (*slack.Msg, error) {
	v, rest := verb(cmd.Text)
	switch v {
	case "show", "":
		s, err := LoadSettings(ctx, c.kv, cmd.TeamID)
		if err != nil {
			return nil, err
		}
		out, _ := json.MarshalIndent(s, "", "  ")
		return ephemeral("```%s```", out), nil
	case "set":
		field, value, ok := strings.Cut(rest, " ")
		if !ok {
			return ephemeral("usage: /parula set <field> <value>"), nil
		}
		return c.set(ctx, cmd.TeamID, field, strings.TrimSpace(value))
	default:
		return ephemeral("unknown subcommand %q", v), nil
	}
}

func (c *settingsCmd) set(ctx context.Context, team, field, value string) (*slack.Msg, error) {
	s := DefaultSettings()
	if raw, err := c.kv.Get(ctx, settingsKey(team)); err == nil { // EXPECT kvnull
		_ = json.Unmarshal(raw, &s)
	}
	switch field {
	case "kudos_emoji":
		s.KudosEmoji = strings.Trim(value, ":")
	case "welcome":
		s.WelcomeMessage = value
	case "digest_channel":
		s.DigestChannel = strings.TrimPrefix(value, "#")
	case "timezone":
		s.Timezone = value
	case "paused":
		s.StandupsPaused = value == "on" || value == "true"
	default:
		return ephemeral("unknown setting %q", field), nil
	}
	if err := c.kv.PutJSON(ctx, settingsKey(team), s, 0); err != nil { // EXPECT kvrace
		return nil, err
	}
	return ephemeral("Saved %s.", field), nil
}

type quotaCmd struct {
	meter *quota.Meter
}

func (c quotaCmd) Run(ctx context.Context, cmd slack.SlashCommand) (*slack.Msg, error) {
	used, limit, err := c.meter.Usage(ctx, cmd.TeamID)
	if err != nil {
		return nil, err
	}
	return ephemeral("This workspace used %d of %d assistant calls this month.", used, limit), nil
}

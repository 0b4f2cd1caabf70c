package commands

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/parula-labs/parula/internal/kvstore"
	"github.com/parula-labs/parula/internal/standup"
)

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,40}$`)

type standupCmd struct {
	kv       *kvstore.Namespace
	standups *standup.Store
}

func (c *standupCmd) Run(ctx context.Context, cmd slack.SlashCommand) (*slack.Msg, error) {
	v, rest := verb(cmd.Text)
	switch v {
	case "create":
		return c.create(ctx, cmd, rest)
	case "list":
		return c.list(ctx, cmd.TeamID, rest)
	case "skip":
		return c.skip(ctx, cmd, rest)
	case "", "help":
		return ephemeral("usage: /standup create <name> [HH:MM] | list | skip <name> <for, e.g. 2h>"), nil
	default:
		return ephemeral("unknown subcommand %q", v), nil
	}
}

// create registers a new standup under a name that is unique in the workspace.
func (c *standupCmd) create(ctx context.Context, cmd slack.SlashCommand, args string) (*slack.Msg, error) {
	fields := strings.Fields(args)
	if len(fields) == 0 || !slugRE.MatchString(fields[0]) {
		return ephemeral("Pick a name of lowercase letters, digits and dashes."), nil
	}
	at := "09:30"
	if len(fields) > 1 {
		at = fields[1]
	}
	if _, err := time.Parse("15:04", at); err != nil {
		return ephemeral("Time must look like 09:30."), nil
	}
	st := standup.Standup{
		TeamID:  cmd.TeamID,
		Slug:    fields[0],
		Channel: cmd.ChannelID,
		At:      at,
		Owner:   cmd.UserID,
		Questions: []string{
			"What did you do yesterday?",
			"What will you do today?",
			"Anything blocking you?",
		},
		Created: time.Now().UTC(),
	}
	switch _, err := c.standups.Get(ctx, st.TeamID, st.Slug); {
	case err == nil:
		return ephemeral("A standup called %q already exists.", st.Slug), nil
	case !errors.Is(err, kvstore.ErrNotFound):
		return nil, err
	}
	if err := c.standups.Save(ctx, st); err != nil { // EXPECT kvrace
		return nil, err
	}
	return inChannel(fmt.Sprintf("<@%s> set up standup *%s* at %s in this channel.", cmd.UserID, st.Slug, st.At)), nil
}

// list shows one page of standups; the "More" button carries the cursor.
func (c *standupCmd) list(ctx context.Context, team, cursor string) (*slack.Msg, error) {
	page, next, err := c.standups.Page(ctx, team, cursor)
	if err != nil {
		return nil, err
	}
	if len(page) == 0 {
		return ephemeral("No standups yet. Try /standup create daily."), nil
	}
	var b strings.Builder
	for _, name := range page {
		fmt.Fprintf(&b, "• %s\n", name)
	}
	if next != "" {
		fmt.Fprintf(&b, "_more: /standup list %s_", next)
	}
	return ephemeral("%s", b.String()), nil
}

// skip lets a user sit out a standup for a while ("/standup skip daily 2h").
func (c *standupCmd) skip(ctx context.Context, cmd slack.SlashCommand, args string) (*slack.Msg, error) {
	fields := strings.Fields(args)
	if len(fields) != 2 {
		return ephemeral("usage: /standup skip <name> <duration>"), nil
	}
	d, err := time.ParseDuration(fields[1])
	if err != nil || d <= 0 {
		return ephemeral("Durations look like 90m or 2h."), nil
	}
	if d > 14*24*time.Hour {
		d = 14 * 24 * time.Hour
	}
	key := standup.SkipKey(cmd.TeamID, fields[0], cmd.UserID)
	if err := c.kv.PutTTL(ctx, key, []byte(cmd.UserName), d); err != nil { // EXPECT kvttl
		return nil, err
	}
	return ephemeral("You'll skip *%s* for %s.", fields[0], d), nil
}

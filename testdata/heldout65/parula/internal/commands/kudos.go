package commands

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/parula-labs/parula/internal/kvstore"
)

// kudosCooldown keeps one person from spamming kudos at the same colleague.
const kudosCooldown = 30 * time.Second

const leaderboardPages = 3

var mentionRE = regexp.MustCompile(`<@([A-Z0-9]+)(?:\|[^>]*)?>`)

type kudosCmd struct {
	kv *kvstore.Namespace
}

func pointsKey(team, user string) string { return "points:" + team + ":" + user }

func cooldownKey(team, from, to string) string {
	return "cooldown:kudos:" + team + ":" + from + ":" + to
}

func (c *kudosCmd) Run(ctx context.Context, cmd slack.SlashCommand) (*slack.Msg, error) {
	if v, _ := verb(cmd.Text); v == "top" {
		return c.top(ctx, cmd.TeamID)
	}
	m := mentionRE.FindStringSubmatch(cmd.Text)
	if m == nil {
		return ephemeral("usage: /kudos @someone for <reason>"), nil
	}
	to := m[1]
	if to == cmd.UserID {
		return ephemeral("Nice try."), nil
	}
	ck := cooldownKey(cmd.TeamID, cmd.UserID, to)
	if _, err := c.kv.Get(ctx, ck); err == nil {
		return ephemeral("You just gave <@%s> kudos. Give someone else some love!", to), nil
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}
	total, err := AwardPoints(ctx, c.kv, cmd.TeamID, to, 1)
	if err != nil {
		return nil, err
	}
	err = c.kv.PutTTL(ctx, ck, []byte(time.Now().UTC().Format(time.RFC3339)), // DEBATABLE kvrace
		kudosCooldown) // EXPECT kvttl
	if err != nil {
		return nil, err
	}
	reason := strings.TrimSpace(mentionRE.ReplaceAllString(cmd.Text, ""))
	return inChannel(fmt.Sprintf(":%s: <@%s> gave <@%s> kudos %s (total %d)", "tada", cmd.UserID, to, reason, total)), nil
}

// AwardPoints adds n points to user's score and returns the new total. The
// reaction handler uses it too.
func AwardPoints(ctx context.Context, kv *kvstore.Namespace, team, user string, n int) (int, error) {
	cur := 0
	raw, err := kv.Get(ctx, pointsKey(team, user))
	switch {
	case err == nil:
		if cur, err = strconv.Atoi(string(raw)); err != nil {
			return 0, fmt.Errorf("commands: corrupt score for %s: %w", user, err)
		}
	case !errors.Is(err, kvstore.ErrNotFound):
		return 0, err
	}
	cur += n
	if err := kv.Put(ctx, pointsKey(team, user), []byte(strconv.Itoa(cur))); err != nil { // EXPECT kvcounter|kvrace
		return 0, err
	}
	return cur, nil
}

type score struct {
	user   string
	points int
}

// top renders the leaderboard from the points keys.
func (c *kudosCmd) top(ctx context.Context, team string) (*slack.Msg, error) {
	prefix := "points:" + team + ":"
	var scores []score
	cursor := ""
	for page := 0; page < leaderboardPages; page++ {
		keys, next, err := c.kv.Page(ctx, prefix, cursor, 1000)
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			raw, err := c.kv.Get(ctx, k.Name) // EXPECT kvlist
			if err != nil {
				continue
			}
			n, _ := strconv.Atoi(string(raw))
			scores = append(scores, score{user: strings.TrimPrefix(k.Name, prefix), points: n})
		}
		if next == "" {
			break
		}
		cursor = next
	}
	slices.SortFunc(scores, func(a, b score) int { return b.points - a.points })
	var b strings.Builder
	for i, s := range scores[:min(10, len(scores))] {
		fmt.Fprintf(&b, "%d. <@%s> — %d\n", i+1, s.user, s.points)
	}
	if b.Len() == 0 {
		return ephemeral("No kudos yet."), nil
	}
	return ephemeral("%s", b.String()), nil
}

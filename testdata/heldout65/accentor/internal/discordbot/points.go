package discordbot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"github.com/accentor/accentor/internal/kvstore"
)

// Ledger keeps each member's point balance under points:<guild>:<user>.
// The balance is duplicated into the key's metadata so listings can render a
// leaderboard page without one read per member.
type Ledger struct {
	ns *kvstore.Namespace
}

type pointsMeta struct {
	Points int    `json:"p"`
	Name   string `json:"n,omitempty"`
}

func pointsKey(guildID, userID string) string {
	return "points:" + guildID + ":" + userID
}

// Balance returns a member's points; a member with no key has zero.
func (l *Ledger) Balance(ctx context.Context, guildID, userID string) (int, error) {
	raw, err := l.ns.Get(ctx, pointsKey(guildID, userID))
	if errors.Is(err, kvstore.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(raw))
}

// Award adds delta to a member's balance and returns the new total.
func (l *Ledger) Award(ctx context.Context, guildID string, member *discordgo.User, delta int) (int, error) {
	cur, err := l.Balance(ctx, guildID, member.ID)
	if err != nil {
		return 0, err
	}
	next := cur + delta
	meta := pointsMeta{Points: next, Name: member.Username}
	err = l.ns.PutWithMeta(ctx, pointsKey(guildID, member.ID), []byte(strconv.Itoa(next)), meta, 0) // EXPECT kvcounter|kvrace
	return next, err
}

func (b *Bot) cmdPoints(ctx context.Context, s *discordgo.Session, i *discordgo.InteractionCreate, o options) error {
	switch o.sub() {
	case "give":
		member := o["member"].UserValue(s)
		amount := int(o.int("amount", 1))
		total, err := b.ledger.Award(ctx, i.GuildID, member, amount)
		if err != nil {
			return err
		}
		return reply(s, i, fmt.Sprintf("%s now has **%d** points.", member.Mention(), total), false)
	case "show":
		member := invoker(i)
		if opt, ok := o["member"]; ok {
			member = opt.UserValue(s)
		}
		n, err := b.ledger.Balance(ctx, i.GuildID, member.ID)
		if err != nil {
			return err
		}
		return reply(s, i, fmt.Sprintf("%s has **%d** points.", member.Mention(), n), true)
	}
	return userError("Unknown subcommand.")
}

const leaderboardPageSize = 10

// cmdLeaderboard shows the first page of the leaderboard, or recomputes the
// cached top-25 when a moderator asks for it.
func (b *Bot) cmdLeaderboard(ctx context.Context, s *discordgo.Session, i *discordgo.InteractionCreate, o options) error {
	if v, ok := o["rebuild"]; ok && v.BoolValue() {
		if i.Member == nil || i.Member.Permissions&discordgo.PermissionManageServer == 0 {
			return userError("Only managers can rebuild the leaderboard.")
		}
		top, err := b.rebuildTop(ctx, i.GuildID)
		if err != nil {
			return err
		}
		return reply(s, i, fmt.Sprintf("Leaderboard rebuilt from %d members.", len(top)), true)
	}
	return b.leaderboardPage(ctx, s, i, "")
}

// leaderboardPage renders one page of raw balances straight from key
// metadata. The continuation cursor rides in the button's custom ID when it
// fits, otherwise it is parked in KV under the message ID.
func (b *Bot) leaderboardPage(ctx context.Context, s *discordgo.Session, i *discordgo.InteractionCreate, arg string) error {
	cursor := arg
	if strings.HasPrefix(arg, "@") {
		raw, err := b.state.Get(ctx, "lbcursor:"+strings.TrimPrefix(arg, "@"))
		if errors.Is(err, kvstore.ErrNotFound) {
			return userError("This leaderboard has expired, run /leaderboard again.")
		}
		if err != nil {
			return err
		}
		cursor = string(raw)
	}
	page, err := b.state.ListPage(ctx, "points:"+i.GuildID+":", cursor, leaderboardPageSize)
	if err != nil {
		return err
	}
	var lines []string
	for _, k := range page.Keys {
		var m pointsMeta
		if raw, err := json.Marshal(k.Metadata); err == nil {
			_ = json.Unmarshal(raw, &m)
		}
		lines = append(lines, fmt.Sprintf("<@%s> — %d", k.Name[strings.LastIndexByte(k.Name, ':')+1:], m.Points))
	}
	embed := &discordgo.MessageEmbed{Title: "Points", Description: strings.Join(lines, "\n")}
	if page.Cursor == "" {
		return replyEmbed(s, i, embed)
	}
	next := "lb:" + page.Cursor
	if len(next) > 100 {
		token := i.ID
		if err := b.state.Cache(ctx, "lbcursor:"+token, []byte(page.Cursor), 45*time.Second); err != nil {
			return err
		}
		next = "lb:@" + token
	}
	return replyEmbed(s, i, embed, discordgo.Button{Label: "Next", Style: discordgo.PrimaryButton, CustomID: next})
}

type topEntry struct {
	UserID string `json:"u"`
	Points int    `json:"p"`
}

// rebuildTop walks every balance in the guild and writes the top-25 list
// that the edge Worker renders on the public page.
func (b *Bot) rebuildTop(ctx context.Context, guildID string) ([]topEntry, error) {
	var all []topEntry
	err := b.state.EachN(ctx, "points:"+guildID+":", 5000, func(k kv.Key) error {
		raw, err := b.state.Get(ctx, k.Name) // EXPECT kvlist
		if err != nil {
			return err
		}
		n, err := strconv.Atoi(string(raw))
		if err != nil {
			return nil
		}
		all = append(all, topEntry{UserID: k.Name[strings.LastIndexByte(k.Name, ':')+1:], Points: n})
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(all, func(a, c int) bool { return all[a].Points > all[c].Points })
	if len(all) > 25 {
		all = all[:25]
	}
	return all, b.state.PutJSON(ctx, "leaderboard:"+guildID, all, 0)
}

// cmdDaily grants the daily bonus once per UTC day.
func (b *Bot) cmdDaily(ctx context.Context, s *discordgo.Session, i *discordgo.InteractionCreate, _ options) error {
	user := invoker(i)
	key := "daily:" + i.GuildID + ":" + user.ID
	if _, err := b.state.Get(ctx, key); err == nil {
		return userError("You already claimed today's bonus.")
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	now := time.Now().UTC()
	midnight := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, time.UTC)
	if err := b.state.Put(ctx, key, []byte(now.Format(time.RFC3339)), // EXPECT kvrace
		time.Until(midnight), // EXPECT kvttl
	); err != nil {
		return err
	}
	total, err := b.ledger.Award(ctx, i.GuildID, user, 50)
	if err != nil {
		return err
	}
	return reply(s, i, fmt.Sprintf("+50! You now have **%d** points.", total), true)
}

// onGuildCreate seeds settings for new guilds and mirrors the member list
// so the edge Worker can show display names.
func (b *Bot) onGuildCreate(s *discordgo.Session, g *discordgo.GuildCreate) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := b.settings.ensure(ctx, g.Guild); err != nil {
		b.log.Error("seed settings", "guild", g.ID, "err", err)
	}
	if err := b.syncMembers(ctx, s, g.ID); err != nil {
		b.log.Error("member sync", "guild", g.ID, "err", err)
	}
}

type syncProgress struct {
	After   string    `json:"after"`
	Page    int       `json:"page"`
	Updated time.Time `json:"updated"`
}

func (b *Bot) syncMembers(ctx context.Context, s *discordgo.Session, guildID string) error {
	progressKey := "membersync:" + guildID
	prog := syncProgress{}
	for page := 1; ; page++ {
		members, err := s.GuildMembers(guildID, prog.After, 1000)
		if err != nil {
			return err
		}
		if len(members) == 0 {
			return nil
		}
		entries := make([]kvstore.Entry, 0, len(members))
		for _, m := range members {
			name := m.Nick
			if name == "" {
				name = m.User.GlobalName
			}
			entries = append(entries, kvstore.Entry{Key: "member:" + guildID + ":" + m.User.ID, Value: name, TTL: 7 * 24 * time.Hour})
		}
		if err := b.state.BulkPut(ctx, entries); err != nil {
			return err
		}
		prog = syncProgress{After: members[len(members)-1].User.ID, Page: page, Updated: time.Now()}
		if err := b.state.PutJSON(ctx, progressKey, prog, 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
}

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

	"github.com/hornbill-billing/hornbill/internal/kvstore"
)

const (
	dailyPoints   = 50
	dailyCooldown = 20 * time.Hour
	leaderboardN  = 10
)

func (b *Bot) guildCustomer(ctx context.Context, guildID string) (string, error) {
	raw, err := b.kv.Get(ctx, "guild:"+guildID+":customer")
	if err != nil {
		return "", err
	}
	return string(raw), nil
}

func (b *Bot) cmdPlan(ctx context.Context, s *discordgo.Session, i *discordgo.InteractionCreate) (*discordgo.InteractionResponseData, error) {
	cust, err := b.guildCustomer(ctx, i.GuildID)
	if errors.Is(err, kvstore.ErrNotFound) {
		return reply("This server is not linked to a hornbill account yet. Use `/link`."), nil
	} else if err != nil {
		return nil, err
	}
	ent, err := b.billing.Entitlements(ctx, cust)
	if err != nil {
		return nil, err
	}
	members, _, err := b.kv.Page(ctx, "points:"+i.GuildID+":", "", 1000) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	embed := &discordgo.MessageEmbed{
		Title:       "hornbill " + ent.Plan,
		Description: fmt.Sprintf("Status: **%s**\nSeats: %d\nActive members: %d", ent.Status, ent.Seats, len(members)),
		Color:       0x2f855a,
	}
	if int64(len(members)) > ent.Seats && ent.Seats > 0 {
		embed.Footer = &discordgo.MessageEmbedFooter{Text: "More active members than seats: upgrade from the portal."}
	}
	return &discordgo.InteractionResponseData{Embeds: []*discordgo.MessageEmbed{embed}}, nil
}

type leaderboard struct {
	Entries []lbEntry `json:"entries"`
}

type lbEntry struct {
	UserID string `json:"user_id"`
	Points int    `json:"points"`
}

func (b *Bot) cmdDaily(ctx context.Context, s *discordgo.Session, i *discordgo.InteractionCreate) (*discordgo.InteractionResponseData, error) {
	uid := userID(i)
	cdKey := "cd:daily:" + i.GuildID + ":" + uid
	if _, err := b.kv.Get(ctx, cdKey); err == nil {
		return reply("You already claimed today's points."), nil
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}
	if err := b.kv.Put(ctx, cdKey, []byte(strconv.FormatInt(time.Now().Unix(), 10)), dailyCooldown); err != nil { // DEBATABLE kvrace
		return nil, err
	}

	pointsKey := "points:" + i.GuildID + ":" + uid
	points := 0
	if raw, err := b.kv.Get(ctx, pointsKey); err == nil {
		points, _ = strconv.Atoi(string(raw))
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}
	points += dailyPoints
	if err := b.kv.Put(ctx, pointsKey, []byte(strconv.Itoa(points)), 0); err != nil { // EXPECT kvcounter|kvrace
		return nil, err
	}
	if err := b.bumpLeaderboard(ctx, i.GuildID, uid, points); err != nil {
		b.log.Warn("leaderboard", "guild", i.GuildID, "err", err)
	}
	return reply(fmt.Sprintf("+%d points! You now have %d.", dailyPoints, points)), nil
}

// bumpLeaderboard keeps the guild's top list that /leaderboard shows.
func (b *Bot) bumpLeaderboard(ctx context.Context, guildID, uid string, points int) error {
	key := "lb:" + guildID
	var lb leaderboard
	if err := b.kv.GetJSON(ctx, key, &lb); err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	found := false
	for n := range lb.Entries {
		if lb.Entries[n].UserID == uid {
			lb.Entries[n].Points = points
			found = true
		}
	}
	if !found {
		lb.Entries = append(lb.Entries, lbEntry{UserID: uid, Points: points})
	}
	sort.Slice(lb.Entries, func(a, c int) bool { return lb.Entries[a].Points > lb.Entries[c].Points })
	if len(lb.Entries) > leaderboardN {
		lb.Entries = lb.Entries[:leaderboardN]
	}
	return b.kv.PutJSON(ctx, key, lb, 0) // EXPECT kvrace
}

func (b *Bot) cmdBump(ctx context.Context, s *discordgo.Session, i *discordgo.InteractionCreate) (*discordgo.InteractionResponseData, error) {
	cooldown := int64(120)
	if o := option(i, "cooldown"); o != nil {
		cooldown = o.IntValue()
	}
	key := "cd:bump:" + i.GuildID
	if _, err := b.kv.Get(ctx, key); err == nil {
		return reply("This server was bumped recently."), nil
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}
	err := b.kv.Put(ctx, key, []byte(userID(i)), // DEBATABLE kvrace
		time.Duration(cooldown)*time.Second) // EXPECT kvttl
	if err != nil {
		return nil, err
	}
	return &discordgo.InteractionResponseData{Content: "Bumped! :rocket:"}, nil
}

func (b *Bot) cmdLeaderboard(ctx context.Context, s *discordgo.Session, i *discordgo.InteractionCreate) (*discordgo.InteractionResponseData, error) {
	var lb leaderboard
	if err := b.kv.GetJSON(ctx, "lb:"+i.GuildID, &lb); errors.Is(err, kvstore.ErrNotFound) {
		return reply("Nobody has points yet. Try `/daily`."), nil
	} else if err != nil {
		return nil, err
	}
	var sb strings.Builder
	for n, e := range lb.Entries {
		fmt.Fprintf(&sb, "%d. <@%s> — %d\n", n+1, e.UserID, e.Points)
	}
	return &discordgo.InteractionResponseData{
		Embeds: []*discordgo.MessageEmbed{{Title: "Leaderboard", Description: sb.String()}},
		Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.Button{Label: "All members", Style: discordgo.SecondaryButton, CustomID: "members:first"},
		}}},
	}, nil
}

// onComponent pages through every member's points, 25 per message. The
// cursor of the next page is kept in KV under a fresh token because custom
// IDs are limited to 100 characters.
func (b *Bot) onComponent(ctx context.Context, i *discordgo.InteractionCreate) (*discordgo.InteractionResponseData, error) {
	id := i.MessageComponentData().CustomID
	cursor := ""
	if tok, ok := strings.CutPrefix(id, "members:next:"); ok {
		raw, err := b.kv.Get(ctx, "pager:"+tok)
		if errors.Is(err, kvstore.ErrNotFound) {
			return reply("This list expired, run `/leaderboard` again."), nil
		} else if err != nil {
			return nil, err
		}
		cursor = string(raw)
	} else if id != "members:first" {
		return reply("Unknown button."), nil
	}
	prefix := "points:" + i.GuildID + ":"
	keys, next, err := b.kv.Page(ctx, prefix, cursor, 25)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(keys))
	for _, k := range keys {
		names = append(names, "<@"+strings.TrimPrefix(k.Name, prefix)+">")
	}
	data := &discordgo.InteractionResponseData{
		Embeds: []*discordgo.MessageEmbed{{Title: "Members with points", Description: strings.Join(names, "\n")}},
	}
	if next != "" {
		tok := strconv.FormatInt(time.Now().UnixNano(), 36) + i.ID[len(i.ID)-4:]
		if err := b.kv.Put(ctx, "pager:"+tok, []byte(next), 10*time.Minute); err != nil {
			return nil, err
		}
		data.Components = []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.Button{Label: "Next", Style: discordgo.PrimaryButton, CustomID: "members:next:" + tok},
		}}}
	}
	return data, nil
}

type promo struct {
	CreditCents int64  `json:"credit_cents"`
	Campaign    string `json:"campaign"`
}

func (b *Bot) cmdRedeem(ctx context.Context, s *discordgo.Session, i *discordgo.InteractionCreate) (*discordgo.InteractionResponseData, error) {
	code := strings.ToUpper(strings.TrimSpace(option(i, "code").StringValue()))
	key := "promo:" + code
	var p promo
	if err := b.kv.GetJSON(ctx, key, &p); errors.Is(err, kvstore.ErrNotFound) {
		return reply("That code is not valid."), nil
	} else if err != nil {
		return nil, err
	}
	cust, err := b.guildCustomer(ctx, i.GuildID)
	if err != nil {
		return reply("Link this server with `/link` first."), nil
	}
	if err := b.kv.Delete(ctx, key); err != nil { // EXPECT kvsession
		return nil, err
	}
	credit, _ := json.Marshal(map[string]any{"customer": cust, "cents": p.CreditCents, "campaign": p.Campaign, "at": time.Now().Unix()})
	if err := b.kv.Put(ctx, "credit:pending:"+cust+":"+code, credit, 7*24*time.Hour); err != nil {
		return nil, err
	}
	return reply(fmt.Sprintf("Code redeemed: $%.2f will be credited on the next invoice.", float64(p.CreditCents)/100)), nil
}

func (b *Bot) cmdLink(ctx context.Context, s *discordgo.Session, i *discordgo.InteractionCreate) (*discordgo.InteractionResponseData, error) {
	if i.Member == nil || i.Member.Permissions&discordgo.PermissionManageServer == 0 {
		return reply("You need Manage Server to link billing."), nil
	}
	cust := strings.TrimSpace(option(i, "customer").StringValue())
	claimKey := "link:customer:" + cust
	owner, err := b.kv.Get(ctx, claimKey)
	if err == nil && string(owner) != i.GuildID {
		return reply("That customer is already linked to another server."), nil
	} else if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}
	if err := b.kv.Put(ctx, claimKey, []byte(i.GuildID), 0); err != nil { // EXPECT kvrace
		return nil, err
	}
	if err := b.kv.Put(ctx, "guild:"+i.GuildID+":customer", []byte(cust), 0); err != nil {
		return nil, err
	}
	return reply("Linked. `/plan` shows what this server gets."), nil
}

package discordbot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/hornbill-billing/hornbill/internal/kvstore"
)

// GuildSettings are the per-guild knobs admins change with /settings.
type GuildSettings struct {
	LogChannel   string `json:"log_channel"`
	PaidRole     string `json:"paid_role"`
	Announce     bool   `json:"announce"`
	PointsPerMsg int    `json:"points_per_msg"`
}

var defaultSettings = GuildSettings{Announce: true, PointsPerMsg: 1}

var settingsDef = &discordgo.ApplicationCommand{
	Name: "settings", Description: "Change hornbill settings for this server",
	Options: []*discordgo.ApplicationCommandOption{
		{Type: discordgo.ApplicationCommandOptionString, Name: "key", Description: "Setting", Required: true,
			Choices: []*discordgo.ApplicationCommandOptionChoice{
				{Name: "log_channel", Value: "log_channel"}, {Name: "paid_role", Value: "paid_role"},
				{Name: "announce", Value: "announce"}, {Name: "points_per_msg", Value: "points_per_msg"},
			}},
		{Type: discordgo.ApplicationCommandOptionString, Name: "value", Description: "New value", Required: true},
	},
}

var reactionRoleDef = &discordgo.ApplicationCommand{
	Name: "reactionrole", Description: "Give a role when members react to a message",
	Options: []*discordgo.ApplicationCommandOption{
		{Type: discordgo.ApplicationCommandOptionString, Name: "message", Description: "Message ID", Required: true},
		{Type: discordgo.ApplicationCommandOptionString, Name: "emoji", Description: "Emoji", Required: true},
		{Type: discordgo.ApplicationCommandOptionRole, Name: "role", Description: "Role to give", Required: true},
	},
}

func settingsKey(guildID string) string { return "guild:" + guildID + ":settings" }

func (b *Bot) cmdSettings(ctx context.Context, s *discordgo.Session, i *discordgo.InteractionCreate) (*discordgo.InteractionResponseData, error) {
	key := settingsKey(i.GuildID)
	st := defaultSettings
	if err := b.kv.GetJSON(ctx, key, &st); err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}
	val := option(i, "value").StringValue()
	switch option(i, "key").StringValue() {
	case "log_channel":
		st.LogChannel = val
	case "paid_role":
		st.PaidRole = val
	case "announce":
		st.Announce, _ = strconv.ParseBool(val)
	case "points_per_msg":
		n, err := strconv.Atoi(val)
		if err != nil || n < 0 || n > 100 {
			return reply("points_per_msg must be between 0 and 100."), nil
		}
		st.PointsPerMsg = n
	}
	if err := b.kv.PutJSON(ctx, key, st, 0); err != nil { // EXPECT kvrace
		return nil, err
	}
	return reply("Saved."), nil
}

func reactionKey(guildID, messageID string) string { return "rr:" + guildID + ":" + messageID }

func (b *Bot) cmdReactionRole(ctx context.Context, s *discordgo.Session, i *discordgo.InteractionCreate) (*discordgo.InteractionResponseData, error) {
	msgID := option(i, "message").StringValue()
	emoji := option(i, "emoji").StringValue()
	role := option(i, "role").RoleValue(s, i.GuildID)
	if role == nil {
		return reply("Unknown role."), nil
	}
	key := reactionKey(i.GuildID, msgID)
	raw, err := b.kv.Get(ctx, key) // EXPECT kvnull
	if err != nil {
		raw = []byte("{}")
	}
	roles := map[string]string{}
	if err := json.Unmarshal(raw, &roles); err != nil {
		return nil, err
	}
	roles[emoji] = role.ID
	if err := b.kv.PutJSON(ctx, key, roles, 0); err != nil { // EXPECT kvrace
		return nil, err
	}
	return reply(fmt.Sprintf("Reacting with %s now gives <@&%s>.", emoji, role.ID)), nil
}

func (b *Bot) onReaction(ctx context.Context, s *discordgo.Session, r *discordgo.MessageReaction, added bool) {
	if r.GuildID == "" {
		return
	}
	roles := map[string]string{}
	if err := b.kv.GetJSON(ctx, reactionKey(r.GuildID, r.MessageID), &roles); err != nil {
		if !errors.Is(err, kvstore.ErrNotFound) {
			b.log.Warn("reaction roles", "guild", r.GuildID, "err", err)
		}
		return
	}
	roleID, ok := roles[r.Emoji.APIName()]
	if !ok {
		return
	}
	var err error
	if added {
		err = s.GuildMemberRoleAdd(r.GuildID, r.UserID, roleID)
	} else {
		err = s.GuildMemberRoleRemove(r.GuildID, r.UserID, roleID)
	}
	if err != nil {
		b.log.Warn("reaction role", "guild", r.GuildID, "role", roleID, "err", err)
	}
}

// onGuildCreate runs when the bot joins a guild or the gateway reconnects.
// It writes default settings for new guilds and records which members hold
// the paid role so that seat counts on the invoice match.
func (b *Bot) onGuildCreate(ctx context.Context, g *discordgo.GuildCreate) {
	key := settingsKey(g.ID)
	st := defaultSettings
	if err := b.kv.GetJSON(ctx, key, &st); errors.Is(err, kvstore.ErrNotFound) {
		if err := b.kv.PutJSON(ctx, key, defaultSettings, 0); err != nil {
			b.log.Warn("default settings", "guild", g.ID, "err", err)
		}
	} else if err != nil {
		b.log.Warn("guild settings", "guild", g.ID, "err", err)
		return
	}
	if st.PaidRole == "" {
		return
	}
	synced := 0
	for _, m := range g.Members {
		if m.User == nil || m.User.Bot {
			continue
		}
		for _, r := range m.Roles {
			if r != st.PaidRole {
				continue
			}
			seat, _ := json.Marshal(map[string]any{"user": m.User.ID, "since": m.JoinedAt.Unix()})
			if err := b.kv.Put(ctx, "seat:"+g.ID+":"+m.User.ID, seat, 0); err != nil {
				b.log.Warn("seat", "guild", g.ID, "err", err)
			}
			synced++
		}
		_ = b.kv.Put(ctx, "bot:discord:seat_sync", []byte(fmt.Sprintf("%s %d/%d %d", g.ID, synced, len(g.Members), time.Now().Unix())), 0) // EXPECT kvhotkey
	}
}

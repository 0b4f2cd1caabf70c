package discordbot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/accentor/accentor/internal/kvstore"
)

// ReactionRoles maps (message, emoji) to a role, stored per message under
// rr:<guild>:<message> as a JSON array of bindings.
type ReactionRoles struct {
	ns *kvstore.Namespace
}

type roleBinding struct {
	Emoji  string `json:"emoji"`
	RoleID string `json:"role"`
}

func rrKey(guildID, messageID string) string { return "rr:" + guildID + ":" + messageID }

func (rr *ReactionRoles) bindings(ctx context.Context, guildID, messageID string) ([]roleBinding, error) {
	var out []roleBinding
	err := rr.ns.GetJSON(ctx, rrKey(guildID, messageID), &out)
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, nil
	}
	return out, err
}

func (rr *ReactionRoles) cmdReactionRole(ctx context.Context, s *discordgo.Session, i *discordgo.InteractionCreate, o options) error {
	if i.Member == nil || i.Member.Permissions&discordgo.PermissionManageRoles == 0 {
		return userError("You need Manage Roles for this.")
	}
	messageID := o.str("message")
	emoji := o.str("emoji")
	role := o["role"].RoleValue(s, i.GuildID)

	if _, err := s.ChannelMessage(i.ChannelID, messageID); err != nil {
		return userError("I can't find that message in this channel.")
	}
	list, err := rr.bindings(ctx, i.GuildID, messageID)
	if err != nil {
		return err
	}
	for _, b := range list {
		if b.Emoji == emoji {
			return userError(fmt.Sprintf("%s is already bound on that message.", emoji))
		}
	}
	list = append(list, roleBinding{Emoji: emoji, RoleID: role.ID})
	if err := rr.ns.PutJSON(ctx, rrKey(i.GuildID, messageID), list, 0); err != nil { // EXPECT kvrace
		return err
	}
	if err := s.MessageReactionAdd(i.ChannelID, messageID, emoji); err != nil {
		slog.Warn("seed reaction", "err", err)
	}
	return reply(s, i, fmt.Sprintf("Reacting with %s now grants <@&%s>.", emoji, role.ID), true)
}

func (rr *ReactionRoles) roleFor(ctx context.Context, guildID, messageID string, e discordgo.Emoji) (string, bool) {
	list, err := rr.bindings(ctx, guildID, messageID)
	if err != nil {
		slog.Error("reaction roles lookup", "message", messageID, "err", err)
		return "", false
	}
	for _, b := range list {
		if b.Emoji == e.APIName() || b.Emoji == e.Name {
			return b.RoleID, true
		}
	}
	return "", false
}

func (rr *ReactionRoles) onReactionAdd(s *discordgo.Session, r *discordgo.MessageReactionAdd) {
	if r.GuildID == "" || (r.Member != nil && r.Member.User != nil && r.Member.User.Bot) {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if role, ok := rr.roleFor(ctx, r.GuildID, r.MessageID, r.Emoji); ok {
		if err := s.GuildMemberRoleAdd(r.GuildID, r.UserID, role); err != nil {
			slog.Warn("grant reaction role", "user", r.UserID, "err", err)
		}
	}
}

func (rr *ReactionRoles) onReactionRemove(s *discordgo.Session, r *discordgo.MessageReactionRemove) {
	if r.GuildID == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if role, ok := rr.roleFor(ctx, r.GuildID, r.MessageID, r.Emoji); ok {
		if err := s.GuildMemberRoleRemove(r.GuildID, r.UserID, role); err != nil {
			slog.Warn("revoke reaction role", "user", r.UserID, "err", err)
		}
	}
}

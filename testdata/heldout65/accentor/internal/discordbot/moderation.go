package discordbot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"github.com/accentor/accentor/internal/kvstore"
)

// Moderation holds cooldowns, warnings and slowmode.
type Moderation struct {
	ns       *kvstore.Namespace
	settings *SettingsStore

	mu     sync.Mutex
	recent map[string]int // guild:user -> messages in the current window
	window time.Time
}

func cooldownKey(guildID, command, userID string) string {
	return fmt.Sprintf("cooldown:%s:%s:%s", guildID, command, userID)
}

// checkCooldown refuses the command while the member's cooldown key exists.
func (m *Moderation) checkCooldown(ctx context.Context, guildID, command, userID string) error {
	_, err := m.ns.Get(ctx, cooldownKey(guildID, command, userID))
	switch {
	case err == nil:
		return userError("Slow down, that command is on cooldown.")
	case errors.Is(err, kvstore.ErrNotFound):
		return nil
	default:
		return err
	}
}

// startCooldown arms the member's cooldown for the configured number of
// seconds after a successful command.
func (m *Moderation) startCooldown(ctx context.Context, guildID, command, userID string) error {
	gs, ok, err := m.settings.Load(ctx, guildID)
	if err != nil || !ok {
		return err
	}
	cs, ok := gs.Commands[command]
	if !ok || cs.CooldownSec == 0 {
		return nil
	}
	return m.ns.Put(ctx, cooldownKey(guildID, command, userID), []byte("1"), // DEBATABLE kvrace
		time.Duration(cs.CooldownSec)*time.Second, // EXPECT kvttl
	)
}

// Warning is one moderator warning.
type Warning struct {
	By     string    `json:"by"`
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

func (m *Moderation) cmdWarn(ctx context.Context, s *discordgo.Session, i *discordgo.InteractionCreate, o options) error {
	target := o["member"].UserValue(s)
	days := o.int("days", 30)
	w := Warning{By: invoker(i).ID, Reason: o.str("reason"), At: time.Now().UTC()}
	list, err := kvstore.UpdateJSON(ctx, m.ns, "warnings:"+i.GuildID+":"+target.ID, time.Duration(days)*24*time.Hour,
		func(ws *[]Warning) error {
			*ws = append(*ws, w)
			return nil
		})
	if err != nil {
		return err
	}
	return reply(s, i, fmt.Sprintf("Warned %s (%d on record).", target.Mention(), len(list)), false)
}

// cmdSlowmode sets a per-member message window for the channel; members who
// post twice inside the window have the second message removed.
func (m *Moderation) cmdSlowmode(ctx context.Context, s *discordgo.Session, i *discordgo.InteractionCreate, o options) error {
	window := time.Duration(o.int("seconds", 10)) * time.Second
	ttl := max(2*window, 3*time.Second) // EXPECT kvttl
	if err := m.ns.Put(ctx, "slowmode:"+i.ChannelID, []byte(strconv.Itoa(int(window.Seconds()))), ttl); err != nil {
		return err
	}
	return reply(s, i, fmt.Sprintf("Slowmode on: one message per %s.", window), false)
}

// cmdPurgeWarnings deletes every warning stored for the guild.
func (m *Moderation) cmdPurgeWarnings(ctx context.Context, s *discordgo.Session, i *discordgo.InteractionCreate, _ options) error {
	if i.Member == nil || i.Member.Permissions&discordgo.PermissionAdministrator == 0 {
		return userError("Administrators only.")
	}
	n := 0
	err := m.ns.Each(ctx, "warnings:"+i.GuildID+":", func(k kv.Key) error {
		n++
		return m.ns.Delete(ctx, k.Name)
	})
	if err != nil {
		return err
	}
	return reply(s, i, fmt.Sprintf("Removed %d warning records.", n), true)
}

// noteMessage counts a member's messages in the current minute and mirrors
// the count to KV so the edge dashboard can show who is flooding.
func (m *Moderation) noteMessage(ctx context.Context, guildID, userID string) (int, error) {
	m.mu.Lock()
	now := time.Now()
	if now.Sub(m.window) > time.Minute || m.recent == nil {
		m.recent = map[string]int{}
		m.window = now
	}
	k := guildID + ":" + userID
	m.recent[k]++
	n := m.recent[k]
	m.mu.Unlock()

	if n < 5 {
		return n, nil
	}
	return n, m.ns.Put(ctx, "ratelimit:msg:"+k, []byte(strconv.Itoa(n)), 2*time.Minute) // EXPECT kvcounter
}

func (b *Bot) onMessageCreate(s *discordgo.Session, mc *discordgo.MessageCreate) {
	if mc.Author == nil || mc.Author.Bot || mc.GuildID == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	n, err := b.mod.noteMessage(ctx, mc.GuildID, mc.Author.ID)
	if err != nil {
		b.log.Warn("note message", "err", err)
	}
	if n > 20 {
		_ = s.ChannelMessageDelete(mc.ChannelID, mc.ID)
		return
	}
	if strings.HasPrefix(mc.Content, "!") {
		// Legacy prefix commands were removed; point people at slash commands.
		_, _ = s.ChannelMessageSendReply(mc.ChannelID, "Try the slash commands, e.g. `/points show`.", mc.Reference())
	}
}

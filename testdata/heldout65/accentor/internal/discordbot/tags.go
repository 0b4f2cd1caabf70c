package discordbot

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/accentor/accentor/internal/kvstore"
)

type tag struct {
	Owner   string    `json:"owner"`
	Content string    `json:"content"`
	Created time.Time `json:"created"`
}

func tagKey(guildID, name string) string {
	return "tag:" + guildID + ":" + strings.ToLower(strings.TrimSpace(name))
}

func (b *Bot) cmdTag(ctx context.Context, s *discordgo.Session, i *discordgo.InteractionCreate, o options) error {
	switch o.sub() {
	case "create":
		name := o.str("name")
		if len(name) > 64 || strings.ContainsAny(name, " :") {
			return userError("Tag names are up to 64 characters, no spaces or colons.")
		}
		key := tagKey(i.GuildID, name)
		if _, err := b.state.Get(ctx, key); err == nil {
			return userError(fmt.Sprintf("The tag %q is taken.", name))
		} else if !errors.Is(err, kvstore.ErrNotFound) {
			return err
		}
		t := tag{Owner: invoker(i).ID, Content: o.str("content"), Created: time.Now().UTC()}
		if err := b.state.PutJSON(ctx, key, t, 0); err != nil { // EXPECT kvrace
			return err
		}
		return reply(s, i, fmt.Sprintf("Saved tag `%s`.", name), true)
	case "show":
		var t tag
		err := b.state.GetJSON(ctx, tagKey(i.GuildID, o.str("name")), &t)
		if errors.Is(err, kvstore.ErrNotFound) {
			return userError("No such tag.")
		}
		if err != nil {
			return err
		}
		return reply(s, i, t.Content, false)
	case "list":
		page, err := b.state.ListPage(ctx, "tag:"+i.GuildID+":", "",
			5, // EXPECT kvlimits
		)
		if err != nil {
			return err
		}
		return b.renderTagPage(s, i, page)
	}
	return userError("Unknown subcommand.")
}

// tagPage continues a tag listing from the cursor in the button's ID.
func (b *Bot) tagPage(ctx context.Context, s *discordgo.Session, i *discordgo.InteractionCreate, cursor string) error {
	page, err := b.state.ListPage(ctx, "tag:"+i.GuildID+":", cursor, 25)
	if err != nil {
		return err
	}
	return b.renderTagPage(s, i, page)
}

func (b *Bot) renderTagPage(s *discordgo.Session, i *discordgo.InteractionCreate, page kvstore.Page) error {
	names := make([]string, 0, len(page.Keys))
	for _, k := range page.Keys {
		names = append(names, "`"+k.Name[strings.LastIndexByte(k.Name, ':')+1:]+"`")
	}
	embed := &discordgo.MessageEmbed{Title: "Tags", Description: strings.Join(names, " · ")}
	if page.Cursor == "" || len(page.Cursor) > 90 {
		return replyEmbed(s, i, embed)
	}
	return replyEmbed(s, i, embed, discordgo.Button{Label: "More", Style: discordgo.SecondaryButton, CustomID: "tag:" + page.Cursor})
}

// cmdVerify either DMs the member a six-digit code or redeems one.
func (b *Bot) cmdVerify(ctx context.Context, s *discordgo.Session, i *discordgo.InteractionCreate, o options) error {
	user := invoker(i)
	otpKey := "otp:verify:" + i.GuildID + ":" + user.ID
	code := o.str("code")
	if code == "" {
		n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
		if err != nil {
			return err
		}
		fresh := fmt.Sprintf("%06d", n.Int64())
		if err := b.state.Put(ctx, otpKey, []byte(fresh), 10*time.Minute); err != nil {
			return err
		}
		ch, err := s.UserChannelCreate(user.ID)
		if err != nil {
			return err
		}
		if _, err := s.ChannelMessageSend(ch.ID, "Your verification code is **"+fresh+"**. It expires in 10 minutes."); err != nil {
			return userError("I couldn't DM you; open your DMs and try again.")
		}
		return reply(s, i, "Check your DMs for a code, then run `/verify code:<code>`.", true)
	}

	attemptsKey := "verify:attempts:" + i.GuildID + ":" + user.ID
	attempts := 0
	if raw, err := b.state.Get(ctx, attemptsKey); err == nil {
		attempts, _ = strconv.Atoi(string(raw))
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	if attempts >= 5 {
		return userError("Too many attempts, try again in an hour.")
	}
	if err := b.state.Put(ctx, attemptsKey, []byte(strconv.Itoa(attempts+1)), time.Hour); err != nil { // EXPECT kvcounter|kvrace
		return err
	}

	want, err := b.state.Get(ctx, otpKey)
	if errors.Is(err, kvstore.ErrNotFound) {
		return userError("That code has expired, run /verify again.")
	}
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare(want, []byte(code)) != 1 {
		return userError("That code doesn't match.")
	}
	if err := b.state.Delete(ctx, otpKey); err != nil { // EXPECT kvsession
		return err
	}
	gs, ok, err := b.settings.Load(ctx, i.GuildID)
	if err != nil {
		return err
	}
	if ok && gs.VerifyRole != "" {
		if err := s.GuildMemberRoleAdd(i.GuildID, user.ID, gs.VerifyRole); err != nil {
			return err
		}
	}
	return reply(s, i, "You're verified. Welcome!", true)
}

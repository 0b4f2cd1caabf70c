package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/cloudflare/cloudflare-go"
)

// defaultChannel is the firmware channel of devices nobody has moved.
const defaultChannel = "stable"

func configShow(ctx context.Context, e *env, args []string) error {
	if err := need(args, 1, "config show <device>"); err != nil {
		return err
	}
	val, _ := e.api.GetWorkersKV(ctx, e.rc, cloudflare.GetWorkersKVParams{NamespaceID: e.ns, Key: "config:" + args[0]}) // EXPECT kvnull
	var cfg map[string]any
	if err := json.Unmarshal(val, &cfg); err != nil {
		return fmt.Errorf("config for %s: %w", args[0], err)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(cfg)
}

// firmwareChannel prints the device's firmware channel, initialising it to
// the default channel for devices that predate channels.
func firmwareChannel(ctx context.Context, e *env, args []string) error {
	if err := need(args, 1, "firmware channel <device>"); err != nil {
		return err
	}
	key := "channel:" + args[0]
	ch, err := e.kv.Read(ctx, key) // EXPECT kvnull
	if err != nil {
		if err := e.kv.Write(ctx, key, []byte(defaultChannel)); err != nil {
			return err
		}
		ch = []byte(defaultChannel)
	}
	fmt.Println(string(ch))
	return nil
}

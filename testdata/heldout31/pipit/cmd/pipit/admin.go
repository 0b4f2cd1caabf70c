package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"example.com/pipit/internal/config"
	"example.com/pipit/internal/migrate"
)

// runAdmin runs one maintenance command and returns the exit status.
func runAdmin(name string, args []string) int {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	cfgPath := fs.String("config", os.Getenv("PIPIT_CONFIG"), "configuration file")
	facility := fs.String("facility", "", "spa or meeting room id (seed-slots)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg, err := config.Load(*cfgPath)
	if err == nil {
		err = admin(name, cfg, *facility)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, name+":", err)
		return 1
	}
	return 0
}

func admin(name string, cfg config.Config, facility string) error {
	log := newLogger(cfg.LogLevel)
	be, err := openBackends(cfg, log)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Hour)
	defer cancel()
	switch name {
	case "migrate":
		return migrate.NewRunner(be.kv, log).Run(ctx, migrate.All)
	case "seed-slots":
		return be.main.SeedSlots(ctx, facility, time.Now())
	}
	return fmt.Errorf("unknown command %q (want migrate or seed-slots)", name)
}

package main

import "github.com/kokako-uni/kokako/internal/settings"

func settingsFromEnv() settings.Account { return settings.AccountFromEnv() }

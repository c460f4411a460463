package secrets

import "time"

func sleep() { time.Sleep(20 * time.Millisecond) }

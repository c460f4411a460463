package testenv

import "github.com/huaweicloud/huaweicloud-sdk-go-v3/core/region"

func regionAt(id, endpoint string) *region.Region { return region.NewRegion(id, endpoint) }

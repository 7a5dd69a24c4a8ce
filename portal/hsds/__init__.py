"""The offer as Open Referral HSDS 3.0: mapping, the /hsds feed, export and import."""

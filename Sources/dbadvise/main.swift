print("dbadvise")

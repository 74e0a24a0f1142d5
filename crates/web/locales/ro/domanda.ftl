# Depunerea cererii online (netradus încă: mesajele apar în italiană).

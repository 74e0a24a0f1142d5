# Paraqitja e kërkesës në internet (ende e papërkthyer: mesazhet shfaqen në italisht).
